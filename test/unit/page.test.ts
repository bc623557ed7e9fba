import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Invalid } from '../../src/core/domain/errors.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageBounds } from '../../src/core/posts/page.ts';
import { domainError } from '../helpers/errors.ts';

describe('pageBounds', () => {
  it('defaults to a page of 20 without bounds', () => {
    assert.deepEqual(pageBounds(), { maxId: undefined, sinceId: undefined, minId: undefined, limit: DEFAULT_PAGE_SIZE });
  });

  it('clamps the limit to 1…40 and truncates fractions', () => {
    assert.equal(pageBounds({ limit: 1000 }).limit, MAX_PAGE_SIZE);
    assert.equal(pageBounds({ limit: -5 }).limit, 1);
    assert.equal(pageBounds({ limit: 2.9 }).limit, 2);
    assert.equal(pageBounds({ limit: Number.NaN }).limit, DEFAULT_PAGE_SIZE);
  });

  it('passes valid ids through', () => {
    const b = pageBounds({ maxId: '300', sinceId: '100', minId: '200', limit: 5 });
    assert.deepEqual(b, { maxId: '300', sinceId: '100', minId: '200', limit: 5 });
  });

  it('refuses ids that are not ids, naming the parameter', () => {
    assert.throws(() => pageBounds({ maxId: 'abc' }), domainError(Invalid, 'maxId'));
    assert.throws(() => pageBounds({ sinceId: '-1' }), domainError(Invalid, 'sinceId'));
    assert.throws(() => pageBounds({ minId: '99999999999999999999' }), domainError(Invalid, 'minId'));
  });
});
