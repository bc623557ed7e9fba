import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// The hourly cleanup deletes ended rate-limit windows by `expires_at` in batches; without an index each
// batch would scan the whole table, which anyone can grow by trying to log in. (sessions_expires_at_idx
// already serves expired sessions.)
const UP = [`CREATE INDEX rate_limits_expires_at_idx ON rate_limits (expires_at)`];

const DOWN = [`DROP INDEX rate_limits_expires_at_idx`];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
