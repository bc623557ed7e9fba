import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml } from '../../src/core/domain/html.ts';
import { parsePostText, renderPostHtml } from '../../src/core/domain/post-text.ts';

// Local links are root-relative: stored HTML must not depend on PUBLIC_URL (issue 7).
const BASE = '';

function render(text: string, known: string[] = []): string {
  return renderPostHtml(text, parsePostText(text, 'localhost:3000'), { knownUsernames: new Set(known) });
}

const ALLOWED_TAGS = new Set(['p', 'br', 'a', 'span']);
const ALLOWED_ATTRIBUTES = new Set(['href', 'class', 'rel', 'target']);

/** Fails unless every tag is one of ours, with only our attributes, and every link is http(s). */
function assertInert(html: string): void {
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    const match = /^<\/?([a-z]+)((?:\s+[a-z]+="[^"<>]*")*)\s*>$/.exec(tag);
    assert.ok(match, `unexpected markup ${tag} in ${html}`);
    assert.ok(ALLOWED_TAGS.has(match[1]!), `unexpected element ${tag}`);
    for (const [, name, value] of match[2]!.matchAll(/([a-z]+)="([^"]*)"/g)) {
      assert.ok(ALLOWED_ATTRIBUTES.has(name!), `unexpected attribute ${name} in ${tag}`);
      if (name === 'href') assert.match(value!, /^(?:https?:\/\/|\/(?!\/))/, `unsafe link ${value}`);
    }
  }
  assert.doesNotMatch(html, /<(?!\/?(?:p|br|a|span)[\s>])/, 'a raw < outside our markup');
}

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('renderPostHtml', () => {
  it('wraps paragraphs and turns single line breaks into <br>', () => {
    assert.equal(render('one\ntwo\n\nthree'), '<p>one<br>two</p><p>three</p>');
  });

  it('links mentions of known accounts to their profile', () => {
    const html = render('hi @Alice', ['alice']);
    assert.equal(html, `<p>hi <span class="h-card"><a href="${BASE}/@alice" class="u-url mention">@<span>alice</span></a></span></p>`);
  });

  it('leaves mentions of unknown accounts as text', () => {
    assert.equal(render('hi @nobody'), '<p>hi @nobody</p>');
  });

  it('links a local full handle to the profile, and leaves a remote one as text', () => {
    const html = render('@carol@localhost:3000 @dave@example.com', ['carol', 'dave']);
    assert.ok(html.includes(`href="${BASE}/@carol"`));
    assert.ok(!html.includes(`${BASE}/@dave"`));
    assert.ok(html.includes('@dave@example.com'));
  });

  it('links hashtags to the lower-case, URL-encoded tag page', () => {
    const html = render('#Café');
    assert.ok(html.includes(`href="${BASE}/tags/caf%C3%A9"`), html);
    assert.ok(html.includes('#<span>Café</span>'), html);
  });

  it('links URLs with rel=nofollow noopener, showing them without scheme and shortening long ones', () => {
    const url = `https://example.com/${'x'.repeat(40)}`;
    const html = render(url);
    assert.ok(html.includes(`<a href="${url}" rel="nofollow noopener noreferrer" target="_blank">`), html);
    assert.ok(html.includes('<span class="invisible">https://</span>'), html);
    assert.ok(html.includes('<span class="ellipsis">example.com/xxxxxxxxxxxxxxxxxx</span>'), html);
  });
});

describe('renderPostHtml: hostile input stays inert', () => {
  const attacks = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    'javascript:alert(1)',
    '<a href="javascript:alert(1)">click</a>',
    'https://example.com/"><img src=x onerror=alert(1)>',
    "https://example.com/a'onmouseover='alert(1)'",
    'https://example.com/path"onmouseover="alert(1)',
    'http://example.com/<script>alert(1)</script>',
    '#"><img src=x onerror=alert(1)>',
    '@alice"><img src=x onerror=alert(1)>',
    '@alice@localhost:3000"><script>x</script>',
    '&lt;script&gt; &amp;',
    '<p onclick="x">para</p>\n\n<br/>',
  ];

  for (const text of attacks) {
    it(`renders ${JSON.stringify(text)} as text`, () => {
      const html = render(text, ['alice']);
      assertInert(html);
    });
  }

  it('escapes the characters of a script tag rather than dropping them', () => {
    assert.equal(render('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('keeps a quote inside a link from closing the href attribute', () => {
    const html = render("https://example.com/a'b\"c");
    assert.ok(!/href="[^"]*"[^\s>]/.test(html), html);
    assert.ok(html.includes('&#39;') || html.includes('&quot;'), html);
  });

  it('does not link javascript: URLs', () => {
    const html = render('javascript:alert(document.cookie) JAVASCRIPT://example.com/%0aalert(1)');
    assert.ok(!html.includes('<a'), html);
  });

  it('escapes entities typed as text, so they show literally', () => {
    assert.equal(render('&lt;b&gt;'), '<p>&amp;lt;b&amp;gt;</p>');
  });

  it('the inertness check itself catches injected markup', () => {
    assert.throws(() => assertInert('<p><img src=x onerror=alert(1)></p>'));
    assert.throws(() => assertInert('<p><a href="javascript:alert(1)">x</a></p>'));
    assert.throws(() => assertInert('<p><a href="https://x" onclick="y">x</a></p>'));
  });
});
