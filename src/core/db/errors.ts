// PostgreSQL error codes we turn into domain errors (the same codes come from PGlite and pg).
const UNIQUE_VIOLATION = '23505';
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
