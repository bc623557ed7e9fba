import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanText } from '../../src/core/domain/text-input.ts';

describe('cleanText', () => {
  it('removes NUL and other control characters', () => {
    assert.equal(cleanText('a\u0000b\u0001c\u0008d\u000be\u000cf\u001fg\u007fh'), 'abcdefgh');
  });

  it('keeps tabs and newlines', () => {
    assert.equal(cleanText('a\tb\nc'), 'a\tb\nc');
  });

  it('turns CRLF and lone CR into LF', () => {
    assert.equal(cleanText('one\r\ntwo\rthree\n'), 'one\ntwo\nthree\n');
  });

  it('leaves ordinary text, emoji and other scripts alone', () => {
    const text = 'Grüße 👋🏽 日本語 <b>&amp;</b>';
    assert.equal(cleanText(text), text);
  });

  it('does not trim (callers decide)', () => {
    assert.equal(cleanText('  padded  '), '  padded  ');
  });
});
