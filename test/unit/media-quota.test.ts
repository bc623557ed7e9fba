import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { QuotaExceeded } from '../../src/core/index.ts';
import { checkQuota } from '../../src/core/media/quota.ts';
import { byteSize } from '../../src/web/html/views/format.ts';

// The quota's decision and its words: an upload passes exactly when it fits (or there is no quota), a
// stream of unknown size exactly while the quota is not full, and a refusal always says the use and the
// limit; sizes read as people read them.

const MB = 1024 * 1024;

describe('checkQuota', () => {
  it('refuses exactly what would pass the quota, saying the use and the limit', () => {
    fc.assert(
      fc.property(fc.nat(100 * MB), fc.option(fc.nat(20 * MB), { nil: undefined }), fc.integer({ min: 1, max: 1000 }), (used, adding, quotaMb) => {
        const quota = quotaMb * MB;
        const fits = adding === undefined ? used < quota : used + adding <= quota;
        try {
          checkQuota(used, adding, quota);
          assert.ok(fits, 'passed although it does not fit');
        } catch (error) {
          assert.ok(error instanceof QuotaExceeded && !fits);
          assert.match(error.message, /^Your media use [\d.]+ MB of your [\d.]+ MB storage quota, and (it is full|this file \([\d.]+ MB\) would pass it)\./);
          assert.equal(error.field, 'file');
        }
      }),
    );
  });

  it('lets everything through without a quota', () => {
    fc.assert(fc.property(fc.nat(), fc.option(fc.nat(), { nil: undefined }), (used, adding) => checkQuota(used, adding, undefined)));
  });

  it('says a full quota when the size is not known yet', () => {
    assert.throws(() => checkQuota(MB, undefined, MB), /Your media use 1\.0 MB of your 1\.0 MB storage quota, and it is full\./);
  });
});

describe('byteSize', () => {
  it('reads as people read sizes', () => {
    assert.equal(byteSize(0), '0 bytes');
    assert.equal(byteSize(1), '1 byte');
    assert.equal(byteSize(1023), '1,023 bytes');
    assert.equal(byteSize(1536), '1.5 KB');
    assert.equal(byteSize(316 * 1024), '316 KB');
    assert.equal(byteSize(1024 * MB), '1.0 GB');
  });
});
