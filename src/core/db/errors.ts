import { Invalid, NotFound, type DomainError } from '../domain/errors.ts';

// PostgreSQL error codes we turn into domain errors (the same codes come from PGlite and pg).
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08000', '08003', '08006']);

/** The name of the unique constraint or index a statement violated, if that is what failed. */
export function uniqueViolation(error: unknown): string | undefined {
  const e = error as { code?: string; constraint?: string; detail?: string; message?: string };
  if (e?.code !== UNIQUE_VIOLATION) return undefined;
  return e.constraint ?? /"([^"]+)"/.exec(e.message ?? '')?.[1] ?? '';
}

/** True when the database cannot be reached (as opposed to a query that failed). */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return CONNECTION_CODES.has(e?.code ?? '') || /timeout exceeded when trying to connect|Connection terminated/i.test(e?.message ?? '');
}

/**
 * A constraint violation a user's request can cause, as the domain error it means, or `undefined` for any
 * other error (rethrow it). Use cases prevent these first (locks, checks); this is the one mapping for
 * the races that remain: a row referred to was deleted meanwhile (NotFound, with `missing` as the
 * message), or a value the database refuses (Invalid).
 */
export function constraintViolation(error: unknown, missing: string): DomainError | undefined {
  const code = (error as { code?: string })?.code;
  if (code === FOREIGN_KEY_VIOLATION) return new NotFound(missing);
  if (code === CHECK_VIOLATION) return new Invalid('Something in this request is longer or other than allowed; please shorten it and try again.');
  return undefined;
}
