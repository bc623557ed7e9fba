import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareIds, idAtTime, isId, timeOfId } from '../../src/core/domain/ids.ts';

describe('isId', () => {
  it('accepts positive decimal strings up to the largest signed 64-bit integer', () => {
    for (const id of ['1', '42', '109876543210987654', '9223372036854775807']) assert.equal(isId(id), true, id);
  });

  it('rejects zero, signs, leading zeros, non-digits and values past 2^63 - 1', () => {
    const bad = ['', '0', '-1', '+1', '01', '1.0', '1e3', ' 1', '1 ', 'abc', '0x10', '9223372036854775808', '99999999999999999999'];
    for (const id of bad) assert.equal(isId(id), false, JSON.stringify(id));
  });

  it('rejects anything that is not a string, numbers included', () => {
    for (const value of [1, 1n, null, undefined, {}, ['1']]) assert.equal(isId(value), false, String(value));
  });
});

describe('idAtTime and timeOfId', () => {
  it('round-trip a time to the millisecond', () => {
    const time = new Date('2025-03-04T05:06:07.089Z');
    assert.equal(timeOfId(idAtTime(time)).getTime(), time.getTime());
  });

  it('make the smallest id of that millisecond (sequence bits zero)', () => {
    const time = new Date('2025-01-01T00:00:00.000Z');
    assert.equal(BigInt(idAtTime(time)) & 0xffffn, 0n);
    assert.equal(BigInt(idAtTime(time)), BigInt(time.getTime()) << 16n);
  });

  it('make valid ids that grow with time', () => {
    const earlier = idAtTime(new Date('2024-06-01T00:00:00Z'));
    const later = idAtTime(new Date('2024-06-01T00:00:00.001Z'));
    assert.ok(isId(earlier) && isId(later));
    assert.ok(compareIds(earlier, later) < 0);
  });

  it('ignore the sequence bits when reading the time', () => {
    const time = new Date('2030-12-31T23:59:59.999Z');
    const id = (BigInt(idAtTime(time)) | 0xffffn).toString();
    assert.equal(timeOfId(id).getTime(), time.getTime());
  });
});

describe('compareIds', () => {
  it('orders numerically, not lexically', () => {
    assert.ok(compareIds('9', '10') < 0);
    assert.ok(compareIds('10', '9') > 0);
    assert.ok(compareIds('123', '124') < 0);
    assert.equal(compareIds('123', '123'), 0);
  });

  it('sorts a list as BigInt would', () => {
    const ids = ['100', '99', '1000', '5', '101', '9223372036854775807'];
    const expected = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    assert.deepEqual([...ids].sort(compareIds), expected);
  });
});
