import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constraintViolation } from '../../src/core/db/errors.ts';
import { Invalid, NotFound } from '../../src/core/domain/errors.ts';

// The one mapping from constraint violations a user can cause to domain errors (issue 7).
describe('constraintViolation', () => {
  it('maps a foreign-key violation (a row deleted meanwhile) to NotFound with the message given', () => {
    const error = constraintViolation({ code: '23503', message: 'violates foreign key constraint' }, 'Gone.');
    assert.ok(error instanceof NotFound);
    assert.equal(error.message, 'Gone.');
  });

  it('maps a check violation to Invalid', () => {
    assert.ok(constraintViolation({ code: '23514' }, 'Gone.') instanceof Invalid);
  });

  it('leaves every other error alone', () => {
    for (const error of [{ code: '23505' }, { code: '57P01' }, new Error('boom'), undefined, null]) {
      assert.equal(constraintViolation(error, 'Gone.'), undefined);
    }
  });
});
