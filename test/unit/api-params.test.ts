import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Invalid, NotFound } from '../../src/core/index.ts';
import { mergeQueryIntoBody, nestFields } from '../../src/web/api/body-parsing.ts';
import { linkHeader, pageUrl } from '../../src/web/api/paging.ts';
import { booleanParam, clampLimit, listParam, optionalId, PAGE_LIMITS, parseBoolean, readPaging, requireId } from '../../src/web/api/params.ts';

// The API's parameter helpers: what clients send, and what each makes of it.

describe('parseBoolean', () => {
  it('reads every spelling clients use, in any case', () => {
    for (const word of ['true', 'TRUE', '1', 'on', 'yes', 'Yes', 't', true, 1]) assert.equal(parseBoolean(word, 'x'), true, String(word));
    for (const word of ['false', 'False', '0', 'off', 'no', 'f', false, 0]) assert.equal(parseBoolean(word, 'x'), false, String(word));
  });

  it('leaves an absent or empty value to the default', () => {
    for (const value of [undefined, null, '']) assert.equal(parseBoolean(value, 'x'), undefined);
    assert.equal(booleanParam(undefined, 'x', true), true);
    assert.equal(booleanParam('0', 'x', true), false);
  });

  it('refuses anything else, naming the parameter', () => {
    for (const value of ['maybe', '2', 2, [], {}, ['true']]) {
      assert.throws(() => parseBoolean(value, 'exclude_reblogs'), (e: unknown) => e instanceof Invalid && e.field === 'exclude_reblogs' && /exclude_reblogs must be true or false/.test(e.message));
    }
  });
});

describe('clampLimit', () => {
  it('gives the default for absent or non-numeric values and stays within 1…max for any number', () => {
    assert.equal(clampLimit(undefined, PAGE_LIMITS.statuses), 20);
    assert.equal(clampLimit('abc', PAGE_LIMITS.statuses), 20);
    assert.equal(clampLimit('1e3', PAGE_LIMITS.statuses), 20);
    assert.equal(clampLimit('80', PAGE_LIMITS.accounts), 80);
    assert.equal(clampLimit('500', PAGE_LIMITS.notifications), 80);
    assert.equal(clampLimit('0', PAGE_LIMITS.statuses), 1);
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.integer().map(String), fc.string()), (value) => {
        const n = clampLimit(value, PAGE_LIMITS.statuses);
        return Number.isInteger(n) && n >= 1 && n <= 40;
      }),
    );
  });
});

describe('ids', () => {
  it('requireId answers a malformed id as a record that does not exist', () => {
    assert.equal(requireId('109876543210'), '109876543210');
    for (const value of ['abc', '', '0', '-1', '01', '99999999999999999999', undefined, 1.5]) assert.throws(() => requireId(value), NotFound, String(value));
  });

  it('optionalId takes an absent bound and refuses a malformed one by name', () => {
    assert.equal(optionalId(undefined, 'max_id'), undefined);
    assert.equal(optionalId('', 'max_id'), undefined);
    assert.throws(() => optionalId('x1', 'max_id'), (e: unknown) => e instanceof Invalid && e.field === 'max_id');
  });

  it('readPaging reads the bounds and clamps the limit', () => {
    assert.deepEqual(readPaging({ max_id: '300', since_id: '100', limit: '99' }, PAGE_LIMITS.statuses), { maxId: '300', sinceId: '100', minId: undefined, limit: 40 });
    assert.deepEqual(readPaging(undefined, PAGE_LIMITS.accounts), { maxId: undefined, sinceId: undefined, minId: undefined, limit: 40 });
  });

  it('listParam takes one value or a list', () => {
    assert.deepEqual(listParam('1', 'id'), ['1']);
    assert.deepEqual(listParam(['1', '2'], 'id'), ['1', '2']);
    assert.deepEqual(listParam(undefined, 'id'), []);
    assert.throws(() => listParam(Array.from({ length: 3 }, String), 'id', 2), Invalid);
  });
});

describe('Link paging', () => {
  it('builds absolute next (max_id = last) and prev (min_id = first), keeping other parameters and dropping old bounds and the token', () => {
    const header = linkHeader('https://h.example', '/api/v1/timelines/home?limit=5&max_id=9&since_id=1&exclude_types[]=follow&access_token=secret', '30', '10');
    assert.equal(
      header,
      '<https://h.example/api/v1/timelines/home?limit=5&exclude_types%5B%5D=follow&max_id=10>; rel="next", ' +
        '<https://h.example/api/v1/timelines/home?limit=5&exclude_types%5B%5D=follow&min_id=30>; rel="prev"',
    );
    assert.equal(pageUrl('https://h.example', '/api/v1/favourites', 'max_id', '7'), 'https://h.example/api/v1/favourites?max_id=7');
  });
});

describe('body helpers', () => {
  it('nestFields reads multipart field names with Rails brackets', () => {
    assert.deepEqual(nestFields({ 'media_ids[]': ['1', '2'], 'fields_attributes[0][name]': 'a', 'fields_attributes[0][value]': 'b', note: 'x&y=z' }), {
      media_ids: ['1', '2'],
      fields_attributes: [{ name: 'a', value: 'b' }],
      note: 'x&y=z',
    });
  });

  it('mergeQueryIntoBody: the body wins, a missing body becomes the query, a non-object body stays', () => {
    assert.deepEqual(mergeQueryIntoBody({ a: '1', b: '2' }, { b: '3' }), { a: '1', b: '3' });
    assert.deepEqual(mergeQueryIntoBody({ a: '1' }, undefined), { a: '1' });
    assert.deepEqual(mergeQueryIntoBody({ a: '1' }, ['x']), ['x']);
    assert.equal(mergeQueryIntoBody({}, undefined), undefined);
  });
});
