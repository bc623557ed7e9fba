import { sql, type Kysely } from 'kysely';

// PostgreSQL's autovacuum keeps the planner's statistics fresh; PGlite runs no background workers, so
// without an explicit ANALYZE the embedded database plans with none — e.g. reading and sorting all of
// an account's posts for a profile page instead of walking the index for one page (0.3 ms → 3 ms+).

/** Refreshes the planner's statistics (ANALYZE). Cheap: it samples, whatever the table sizes. */
export async function analyze(db: Kysely<any>): Promise<void> {
  await sql`ANALYZE`.execute(db);
}

// Statistics live in the catalog and survive restarts, so a start only needs them for tables that
// never had any (a new database, a table a migration just added); the daily job refreshes the rest.
// A plain ANALYZE also walks PostgreSQL's own catalogs (~60 tables): ~0.3–1.4 s of a PGlite start,
// against ~0.06 s for our tables alone. reltuples is -1 until a table is first analyzed or vacuumed.
const OUR_SCHEMAS = ['public', 'pgboss'];

/** ANALYZEs the tables of Pipit and its job queue that were never analyzed; returns their names. */
export async function analyzeNeverAnalyzed(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND c.reltuples < 0 AND n.nspname IN (${sql.join(OUR_SCHEMAS)})
    ORDER BY 1`.execute(db);
  const names = rows.map((row) => row.name);
  // The names come quoted from format('%I.%I'), so they are safe to splice in.
  if (names.length > 0) await sql.raw(`ANALYZE ${names.join(', ')}`).execute(db);
  return names;
}
