import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalizeTag, parsePostText, postLength } from '../../src/core/domain/post-text.ts';

const HOST = 'localhost:3000';
const parse = (text: string, host = HOST) => parsePostText(text, host);

describe('parsePostText: mentions', () => {
  it('finds local mentions, lower-cased, once each, in order', () => {
    assert.deepEqual(parse('hi @Bob_2 and @alice, and @ALICE again').mentions, ['bob_2', 'alice']);
  });

  it('takes usernames of up to 30 characters, beyond twitter-text’s 20', () => {
    const long = 'a'.repeat(21);
    const max = 'b'.repeat(30);
    assert.deepEqual(parse(`@${long} and @${max}.`).mentions, [long, max]);
    const entity = parse(`@${max} x`).entities[0];
    assert.deepEqual(entity, { kind: 'mention', username: max, start: 0, end: 31 });
  });

  it('ignores a 31-character handle rather than cutting it short', () => {
    assert.deepEqual(parse(`@${'c'.repeat(31)} hello`).mentions, []);
  });

  it('treats @user@<this host> as local, matching the host case-insensitively', () => {
    assert.deepEqual(parse('hey @carol@localhost:3000 and @dan@LOCALHOST:3000').mentions, ['carol', 'dan']);
    const entity = parse('hey @carol@localhost:3000!').entities[0];
    assert.deepEqual(entity, { kind: 'mention', username: 'carol', start: 4, end: 25 });
  });

  it('ignores handles on other hosts, other ports and subdomains', () => {
    const text = '@dave@example.com @erin@localhost:3001 @frank@localhost @gina@pipit.example.com';
    assert.deepEqual(parse(text).mentions, []);
    assert.deepEqual(parse('@gina@pipit.example.com', 'pipit.example').mentions, []);
  });

  it('keeps a full-handle mention at the end of a sentence', () => {
    assert.deepEqual(parse('Ask @carol@pipit.example.', 'pipit.example').mentions, ['carol']);
    assert.deepEqual(parse('Ask @carol@pipit.example, then', 'pipit.example').mentions, ['carol']);
  });

  it('does not read email addresses or words glued to @ as mentions', () => {
    assert.deepEqual(parse('mail foo@example.com or x@alice').mentions, []);
  });
});

describe('parsePostText: tags', () => {
  it('finds hashtags, lower-cased and once each', () => {
    assert.deepEqual(parse('#Hello #hello #world').tags, ['hello', 'world']);
  });

  it('keeps letters beyond ASCII and underscores', () => {
    assert.deepEqual(parse('#Café #a_b #日本').tags, ['café', 'a_b', '日本']);
  });

  it('needs a letter: #123 is not a tag', () => {
    assert.deepEqual(parse('#123 and #2024year').tags, ['2024year']);
  });

  it('separates tags joined by punctuation', () => {
    assert.deepEqual(parse('#one,#two').tags, ['one', 'two']);
  });

  it('normalizeTag composes and lower-cases', () => {
    assert.equal(normalizeTag('Cafe\u0301'), 'café');
    assert.equal(normalizeTag('CamelCase'), 'camelcase');
  });
});

describe('parsePostText: links', () => {
  it('finds http and https URLs', () => {
    const urls = parse('see https://example.com/a?b=1 and http://x.org').entities.filter((e) => e.kind === 'url');
    assert.deepEqual(urls.map((e) => e.kind === 'url' && e.url), ['https://example.com/a?b=1', 'http://x.org']);
  });

  it('ignores bare domains and other schemes', () => {
    const kinds = parse('example.com www.example.com javascript:alert(1) ftp://example.com/x').entities.map((e) => e.kind);
    assert.deepEqual(kinds, []);
  });

  it('stops a URL before markup characters', () => {
    const [entity] = parse('http://example.com/<script>').entities;
    assert.ok(entity?.kind === 'url');
    assert.equal(entity.url, 'http://example.com/');
  });

  it('returns entities in text order with offsets into the text', () => {
    const text = '#tag @amy https://example.com';
    const entities = parse(text).entities;
    assert.deepEqual(entities.map((e) => e.kind), ['tag', 'mention', 'url']);
    assert.deepEqual(entities.map((e) => text.slice(e.start, e.end)), ['#tag', '@amy', 'https://example.com']);
  });
});

describe('parsePostText: links, whole and in linear time (issue 7)', () => {
  const urls = (text: string) => parse(text).entities.flatMap((e) => (e.kind === 'url' ? [e.url] : []));

  it('links a URL with a non-ASCII path or host whole', () => {
    assert.deepEqual(urls('read https://he.wikipedia.org/wiki/עברית today'), ['https://he.wikipedia.org/wiki/עברית']);
    assert.deepEqual(urls('https://ja.wikipedia.org/wiki/日本語 and https://日本.jp/パス'), ['https://ja.wikipedia.org/wiki/日本語', 'https://日本.jp/パス']);
  });

  it('gives back sentence punctuation and unbalanced brackets, keeps balanced ones', () => {
    assert.deepEqual(urls('see https://example.com/a.'), ['https://example.com/a']);
    assert.deepEqual(urls('(see https://example.com/a)'), ['https://example.com/a']);
    assert.deepEqual(urls('https://en.wikipedia.org/wiki/Pipit_(bird), yes'), ['https://en.wikipedia.org/wiki/Pipit_(bird)']);
    assert.deepEqual(urls('Is it https://example.com?'), ['https://example.com']);
    assert.deepEqual(urls('https://example.com/?q=1&r=2#top!'), ['https://example.com/?q=1&r=2#top']);
  });

  it('needs a host with a top-level domain, localhost or an IPv4 address, and a scheme not glued to a word', () => {
    assert.deepEqual(urls('http://localhost:3000/x http://127.0.0.1/y'), ['http://localhost:3000/x', 'http://127.0.0.1/y']);
    assert.deepEqual(urls('http://foo http://a.b1 foohttp://example.com @http://example.com'), []);
  });

  it('links a 2,000-character URL and counts it as 23', () => {
    const url = `https://example.com/${'path/'.repeat(396)}`;
    assert.equal(url.length, 2000);
    const parsed = parse(`long: ${url}`);
    assert.deepEqual(urls(`long: ${url}`), [url]);
    assert.equal(parsed.length, 6 + 23);
  });

  it('finds no mention or tag inside a link', () => {
    const parsed = parse('https://example.com/@bob/#tag @amy #real');
    assert.deepEqual(parsed.mentions, ['amy']);
    assert.deepEqual(parsed.tags, ['real']);
  });
});

describe('parsePostText: over-long hashtags (issue 7)', () => {
  it('links and stores tags of up to 100 characters; longer ones stay text, as on Mastodon', () => {
    const max = 'a'.repeat(100);
    assert.deepEqual(parse(`#${max} #${'b'.repeat(101)} #${'ñ'.repeat(120)}`).tags, [max]);
    assert.deepEqual(parse(`#${'n\u0303'.repeat(100)}`).tags, ['ñ'.repeat(100)]);
  });
});

describe('parsePostText: any shape of URL-ish text (fast-check)', () => {
  // The fragments the slow shapes of issue 7 were made of, and what links, mentions and tags are made of.
  const FRAGMENTS = ['http://', 'https://', 'www.', '.com', 'a', '.', '-', '/', '(', ')', '[', ']', '#', '＃', '@', ':', '1', '?', '=', '&', ' ', '\n', 'ñ', 'ע', '日', '👍🏽', '_', '%', '"', "'", 'localhost:3000', 'https://a.com/'];

  it('returns entities in order, apart, matching the text, with links that are whole http(s) URLs', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 300 }), (parts, times) => {
        const text = parts.join('').repeat(times);
        const parsed = parse(text);
        let previousEnd = 0;
        for (const e of parsed.entities) {
          assert.ok(e.start >= previousEnd && e.end > e.start && e.end <= text.length, JSON.stringify(e));
          previousEnd = e.end;
          const raw = text.slice(e.start, e.end);
          if (e.kind === 'url') {
            assert.equal(raw, e.url);
            assert.match(e.url, /^https?:\/\/[^\s<>"]+$/i);
          } else if (e.kind === 'tag') {
            assert.equal(raw.slice(1), e.tag);
            assert.ok([...normalizeTag(e.tag)].length <= 100);
          } else {
            assert.match(raw, /^[@＠]/);
          }
        }
        assert.equal(parsed.length, postLength(text));
      }),
      { numRuns: 300 },
    );
  });
});
