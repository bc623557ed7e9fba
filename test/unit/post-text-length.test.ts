import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePostText, postLength } from '../../src/core/domain/post-text.ts';

describe('postLength', () => {
  it('counts plain characters', () => {
    assert.equal(postLength(''), 0);
    assert.equal(postLength('hello world'), 11);
    assert.equal(postLength('日本語のテキスト'), 8);
  });

  it('counts every http(s) URL as 23, however long', () => {
    assert.equal(postLength('https://x.co'), 23);
    assert.equal(postLength(`a https://example.com/${'x'.repeat(200)}`), 2 + 23);
    assert.equal(postLength('http://a.org http://b.org'), 23 + 1 + 23);
  });

  it('counts bare domains as the characters they are, as they are not links', () => {
    assert.equal(postLength('a.io'), 4);
    assert.equal(postLength('see README.md'), 13);
    assert.equal(postLength('www.example.com https://example.com'), 15 + 1 + 23);
  });

  it('counts an emoji as one, including skin tones, flags and joined sequences', () => {
    assert.equal(postLength('👍'), 1);
    assert.equal(postLength('👍🏽'), 1);
    assert.equal(postLength('🇫🇷'), 1);
    assert.equal(postLength('👨‍👩‍👧'), 1);
    assert.equal(postLength('hi 👋🏽!'), 5);
  });

  it('counts a composed and a decomposed accent alike', () => {
    assert.equal(postLength('é'), 1);
    assert.equal(postLength('e\u0301'), 1);
  });

  it('counts mentions and tags as typed', () => {
    assert.equal(postLength('@alice #tag'), 11);
  });

  it('is what parsePostText reports, counted by hand', () => {
    // "hi " 3 + "@bob" 4 + " " 1 + the URL 23 + " " 1 + 👍🏽 1 + " " 1 + "#tag" 4 (parsePostText's length
    // was once compared with postLength itself, which it calls: a test that could not fail).
    assert.equal(parsePostText('hi @bob https://example.com/long/path 👍🏽 #tag', 'localhost:3000').length, 38);
    assert.equal(parsePostText('see README.md and www.example.com', 'localhost:3000').length, 33, 'bare domains as typed');
  });
});
