import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.ts';

// Prepared statements for the few queries every page and API call runs (a timeline page, a bearer
// token's lookup). PostgreSQL parses and plans an unnamed statement anew on every call: for a page of
// posts with its correlated subqueries that planning cost more CPU (~0.8–1.8 ms) than running it
// (~0.5 ms). A named statement is parsed once per connection, and after five calls PostgreSQL keeps
// a generic plan when it is no worse than the custom ones (see the literal LIMIT in timelines.ts:
// a parameter there makes every generic plan look worse, and planning never stops).
//
// A statement opts in by running through `executePrepared`, which records its SQL text under a
// name; the pool's clients (connection.ts) send a recorded text as a named statement. Only texts of a
// fixed shape belong here: each is kept by every connection of the pool, so the names are bounded and
// past the bound a statement simply runs unnamed, as before. PGlite ignores the names.

const MAX_PREPARED = 200;
const names = new Map<string, string>();

/** The name under which `sql` is prepared, if it is one of the prepared statements. */
export function preparedName(sql: string): string | undefined {
  return names.get(sql);
}

/** Runs `query` (a query of a fixed shape) as a prepared statement; the rows, as `query.execute()` would. */
export async function executePrepared<R>(db: Pick<Kysely<Database>, 'executeQuery'>, query: Compilable<R> | CompiledQuery<R>): Promise<R[]> {
  const compiled = 'compile' in query ? query.compile() : query;
  if (names.size < MAX_PREPARED && !names.has(compiled.sql)) names.set(compiled.sql, `pipit_${names.size + 1}`);
  return (await db.executeQuery(compiled)).rows;
}
