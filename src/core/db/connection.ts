import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, type LogEvent } from 'kysely';
import { PipitPostgresDialect } from './query-compiler.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import pg from 'pg';
import { preparedName } from './prepared.ts';
import { rowObjects } from './row-objects.ts';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamps.ts';
import type { Database } from './schema.ts';

const INT8_OID = 20;
const identity = (value: string): string => value;

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: 'pglite' | 'postgres';
  /** The embedded engine, for the job queue adapter; `undefined` on PostgreSQL. */
  readonly pglite: PGlite | undefined;
  /** The pool, for the job queue adapter; `undefined` on PGlite. */
  readonly pool: pg.Pool | undefined;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** `postgres://…`, or `undefined` for the embedded database. */
  url: string | undefined;
  /** PGlite's directory; `memory://` keeps it in memory (tests). */
  pgliteDir: string;
  /** In memory only: start from this archive of a database (PGlite's `dumpDataDir`) instead of initdb. */
  pgliteArchive?: Blob;
  poolSize?: number;
  /** Server-side bound on one statement (PostgreSQL only; 0: none). */
  statementTimeoutMs?: number;
  /** Server-side bound on a transaction left idle (PostgreSQL only; 0: none). */
  idleInTransactionTimeoutMs?: number;
  /** Hears the SQL of every statement run through Kysely (tests count queries). */
  onQuery?: (sql: string) => void;
}

// How long to wait for a new connection: short, so a request during a database outage gets its 503
// page at once rather than after a long hang (a stopped server refuses at once anyway).
const CONNECT_TIMEOUT_MS = 3_000;
// Client-side margin over statement_timeout: the server's own cancellation (a clear error) comes
// first while it is reachable; this one ends a query whose server went silent (a cut network).
const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/**
 * A pool client that sends the prepared statements (prepared.ts) by name: parsed once per connection;
 * their rows come as arrays and are made into objects by a function per statement (row-objects.ts).
 */
class PreparingClient extends pg.Client {
  // Kysely calls query(text, values) and awaits it; everything else (pg-boss, LISTEN, configs) passes through.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = typeof text === 'string' && Array.isArray(values) && args.length === 2 ? preparedName(text) : undefined;
    const query = super.query as (...a: unknown[]) => never;
    if (name === undefined) return query.apply(this, args);
    const pending = query.call(this, { name, text, values, rowMode: 'array' }) as Promise<pg.QueryResult>;
    return pending.then((result) => {
      result.rows = rowObjects(name, result.fields, result.rows as unknown[][]);
      return result;
    }) as never;
  }
}

function queryLog(options: ConnectOptions): { log?: (event: LogEvent) => void } {
  const onQuery = options.onQuery;
  return onQuery ? { log: (event) => onQuery(event.query.sql) } : {};
}

/** Opens PGlite (embedded, one connection) or a PostgreSQL pool. Bigints come back as strings in both. */
export async function connect(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const statementTimeout = options.statementTimeoutMs ?? 0;
    const pool = new pg.Pool({
      Client: PreparingClient,
      connectionString: options.url,
      max: options.poolSize ?? 10,
      // Fail fast when the server is gone rather than queueing requests forever.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...(statementTimeout > 0 ? { statement_timeout: statementTimeout, query_timeout: statementTimeout + QUERY_TIMEOUT_MARGIN_MS } : {}),
      ...(options.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
      // Bigints as strings; timestamptz by a faster parser that gives pg's own Dates (timestamps.ts).
      types: { getTypeParser: (oid, format) => (oid === INT8_OID ? identity : oid === TIMESTAMPTZ_OID && format !== 'binary' ? parseTimestamptz : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
    });
    // A client losing its server must not crash the process. The pool hears it while the client is
    // idle (and replaces it), but takes its listener off a client it hands out: a connection cut
    // while Kysely holds it (a transaction between statements, a query in flight) would emit 'error'
    // to no one, an uncaught exception. The statement in flight rejects with the same error, and the
    // pool discards the broken client when it comes back, so the listener has nothing else to do.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PipitPostgresDialect({ pool }), ...queryLog(options) });
    return { db, kind: 'postgres', pglite: undefined, pool, close: () => db.destroy() };
  }
  // The embedded engine's modules (PGlite, its directory lock) are loaded only by a process that opens it.
  const [{ lockPgliteDirectory }, { openPglite }] = await Promise.all([import('./pglite-lock.ts'), import('./pglite-template.ts')]);
  let unlock = () => {};
  if (!options.pgliteDir.startsWith('memory://')) {
    mkdirSync(options.pgliteDir, { recursive: true });
    unlock = lockPgliteDirectory(options.pgliteDir);
  }
  try {
    const pglite = await openPglite(options.pgliteDir, { archive: options.pgliteArchive });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), ...queryLog(options) });
    return {
      db,
      kind: 'pglite',
      pglite,
      pool: undefined,
      close: async () => {
        try {
          await db.destroy();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/** Where the embedded database lives inside DATA_DIR. */
export function pgliteDirectory(dataDir: string): string {
  return join(dataDir, 'db');
}
