import { sql, type Kysely } from 'kysely';

/**
 * Runs SQL statements one by one: PGlite's extended protocol takes one statement per query,
 * so migrations are lists rather than one script.
 */
export async function runStatements(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
