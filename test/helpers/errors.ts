import assert from 'node:assert/strict';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * A validator for `assert.throws`/`assert.rejects`: the error is an instance of `kind` and, when given,
 * its `field` (Invalid, Conflict) matches.
 * @example await assert.rejects(core.accounts.signUp(…), domainError(Conflict, 'username'));
 */
export function domainError(kind: ErrorClass, field?: string): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    if (field !== undefined) assert.equal((error as { field?: unknown }).field, field, `field of ${kind.name}`);
    return true;
  };
}
