import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// An account's own pictures (issue 9): the storage keys of its avatar (a square, and a small one for
// lists) and its header. Null means the default pictures. The keys are made by the core
// (media/keys.ts), never taken from a request; the files are written before the row names them and
// removed after the row stops naming them, so a key here always has its file.
const UP = [
  `ALTER TABLE accounts
      ADD COLUMN avatar_key        text CHECK (avatar_key IS NULL OR length(avatar_key) <= 200),
      ADD COLUMN avatar_small_key  text CHECK (avatar_small_key IS NULL OR length(avatar_small_key) <= 200),
      ADD COLUMN header_key        text CHECK (header_key IS NULL OR length(header_key) <= 200)`,
];

const DOWN = [`ALTER TABLE accounts DROP COLUMN avatar_key, DROP COLUMN avatar_small_key, DROP COLUMN header_key`];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
