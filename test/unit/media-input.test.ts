import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Invalid } from '../../src/core/index.ts';
import { parseFocus } from '../../src/core/media/focus.ts';
import { isServedKey, isStorageKey, newMediaPrefix, uploadKey, variantKey } from '../../src/core/media/keys.ts';
import { sniff, sniffUpload } from '../../src/core/media/sniff.ts';
import { isHevcHeif } from '../../src/core/media/heic.ts';

// What an upload's first bytes, its focus text and its storage keys may be: random input never throws
// anything but Invalid, never yields a value out of range, and never names a path outside the store.

describe('isHevcHeif', () => {
  const ftyp = (major: string, ...compatible: string[]) => {
    const box = Buffer.from(`\0\0\0\0ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1');
    box.writeUInt32BE(box.length, 0);
    return Buffer.concat([box, Buffer.from('\0\0\0\x08meta')]);
  };
  it('tells HEIC from AVIF by the brands of the ftyp box, and never throws', () => {
    assert.equal(isHevcHeif(ftyp('heic', 'mif1', 'heic', 'miaf')), true);
    assert.equal(isHevcHeif(ftyp('mif1', 'heic')), true);
    assert.equal(isHevcHeif(ftyp('avif', 'avif', 'mif1', 'miaf')), false);
    assert.equal(isHevcHeif(ftyp('mif1', 'avif', 'miaf')), false);
    assert.equal(isHevcHeif(ftyp('mif1', 'miaf')), false);
    assert.equal(isHevcHeif(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), false);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => void isHevcHeif(Buffer.from(bytes))));
  });
});

describe('sniff', () => {
  it('knows the image signatures, and refuses text and everything else with a reason', () => {
    assert.deepEqual(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), { ok: true, format: 'jpeg' });
    assert.deepEqual(sniff(Buffer.from('89504e470d0a1a0a0000', 'hex')), { ok: true, format: 'png' });
    assert.deepEqual(sniff(Buffer.from('GIF89a....')), { ok: true, format: 'gif' });
    assert.deepEqual(sniff(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), { ok: true, format: 'webp' });
    assert.deepEqual(sniff(Buffer.from('\0\0\0\x1cftypavif\0\0')), { ok: true, format: 'heif' });
    assert.match((sniff(Buffer.from('\0\0\0\x18ftypmp42\0\0')) as { reason: string }).reason, /a video, not a picture/);
    assert.match((sniff(Buffer.from('<?xml version="1.0"?><svg/>')) as { reason: string }).reason, /text .*not an image/);
    assert.match((sniff(Buffer.from([0, 1, 2, 3, 4])) as { reason: string }).reason, /^This file is not an image/);
  });

  it('an attachment may also be a video or audio container, named for ffprobe; playlists are text', () => {
    assert.deepEqual(sniffUpload(Buffer.from('\0\0\0\x18ftypmp42\0\0')), { ok: true, kind: 'video', format: 'mp4' });
    assert.deepEqual(sniffUpload(Buffer.from('\0\0\0\x14ftypqt  \0\0')), { ok: true, kind: 'video', format: 'mov' });
    assert.deepEqual(sniffUpload(Buffer.from('\0\0\0\x20ftypM4A \0\0')), { ok: true, kind: 'audio', format: 'm4a' });
    assert.deepEqual(sniffUpload(Buffer.from('1a45dfa3a34286810142f7', 'hex')), { ok: true, kind: 'video', format: 'webm' });
    assert.deepEqual(sniffUpload(Buffer.from('OggS\0\x02')), { ok: true, kind: 'audio', format: 'ogg' });
    assert.deepEqual(sniffUpload(Buffer.from('fLaC\0\0')), { ok: true, kind: 'audio', format: 'flac' });
    assert.deepEqual(sniffUpload(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), { ok: true, kind: 'audio', format: 'wav' });
    assert.deepEqual(sniffUpload(Buffer.from('ID3\x04\0')), { ok: true, kind: 'audio', format: 'mp3' });
    assert.deepEqual(sniffUpload(Buffer.from([0xff, 0xfb, 0x90, 0x64])), { ok: true, kind: 'audio', format: 'mp3' });
    assert.deepEqual(sniffUpload(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), { ok: true, kind: 'image', format: 'jpeg' });
    assert.deepEqual(sniffUpload(Buffer.from('\0\0\0\x1cftypavif\0\0')), { ok: true, kind: 'image', format: 'heif' });
    for (const text of ['#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n', 'ffconcat version 1.0\nfile /etc/passwd\n', '<html></html>']) {
      assert.match((sniffUpload(Buffer.from(text)) as { reason: string }).reason, /text .*not an image, video or audio/);
    }
  });

  it('never throws, and accepts only what starts with a signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const result = sniff(Buffer.from(bytes));
        if (result.ok) assert.ok(['jpeg', 'png', 'gif', 'webp', 'heif'].includes(result.format));
        else assert.ok(result.reason.length > 10);
      }),
    );
  });
});

describe('parseFocus', () => {
  it('takes "x,y" within [-1, 1], nothing else', () => {
    assert.deepEqual(parseFocus('0.5,-0.25'), { x: 0.5, y: -0.25 });
    assert.deepEqual(parseFocus(' -1 , 1 '), { x: -1, y: 1 });
    assert.equal(parseFocus(undefined), undefined);
    assert.equal(parseFocus(''), undefined);
    for (const bad of ['1.5,0', '0', '0,0,0', 'NaN,0', 'Infinity,0', '1e-1,0', '0x1,0', ',']) assert.throws(() => parseFocus(bad), Invalid, bad);
  });

  it('any text is either a point in range or Invalid naming focus', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        try {
          const focus = parseFocus(text);
          if (focus) for (const n of [focus.x, focus.y]) assert.ok(n >= -1 && n <= 1, text);
        } catch (error) {
          assert.ok(error instanceof Invalid && error.field === 'focus', text);
        }
      }),
    );
  });

  it('every point in range, written as clients write it, reads back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -100, max: 100 }), (x, y) => {
        assert.deepEqual(parseFocus(`${(x / 100).toFixed(2)},${(y / 100).toFixed(2)}`), { x: x / 100, y: y / 100 });
      }),
    );
  });
});

describe('storage keys', () => {
  it('are generated in known shapes; only the variants are served', () => {
    const prefix = newMediaPrefix();
    assert.match(prefix, /^[0-9a-f]{32}$/);
    assert.notEqual(newMediaPrefix(), prefix);
    assert.ok(isStorageKey(uploadKey(prefix)) && !isServedKey(uploadKey(prefix)));
    assert.ok(isServedKey(variantKey(prefix, 'original', 'jpeg')));
    assert.ok(isServedKey(variantKey(prefix, 'small', 'webp')));
  });

  it('no other text is a key (no traversal, no absolute path)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        if (isStorageKey(text)) assert.match(text, /^(incoming\/[0-9a-f]{32}|[0-9a-f]{32}\/(original|small)\.(jpg|png|webp|gif))$/);
      }),
    );
    for (const bad of ['../etc/passwd', `/${'a'.repeat(32)}/original.jpg`, `${'a'.repeat(32)}/../original.jpg`, `incoming/${'a'.repeat(32)}/x`]) assert.ok(!isStorageKey(bad), bad);
  });
});
