import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { PipitQueryCompiler } from './query-compiler.ts';

// Why our own dialect rather than kysely-pglite-dialect: PGlite is one connection. That package opens
// transactions by sending BEGIN through query(), so any other user of the same PGlite (the job queue,
// which talks to PGlite directly) could slip statements into the middle of our transaction — or commit
// it. PGlite's own transaction() holds its exclusive lock until the transaction ends, and every plain
// query()/exec() waits for that lock, so routing Kysely transactions through it keeps them whole.

// PGlite has one connection: while a transaction holds its lock, a query sent through the root handle
// waits for that lock. Sent from inside the same transaction's work (`ctx.db` where `trx` was meant),
// it waits for itself: the request hangs forever. So the work that opened a transaction carries a
// marker (an async-local store entered when the transaction begins), and a root-handle query made in
// that work while the transaction is open fails at once, saying what to fix. Other requests' root
// queries do not carry the marker; they wait for the lock as before.

interface OpenTransaction {
  open: boolean;
}

const transactionScope = new AsyncLocalStorage<OpenTransaction>();

/** Thrown for a query on the root handle made inside the transaction that holds PGlite's lock. */
export class QueryOutsideTransaction extends Error {
  override name = 'QueryOutsideTransaction';
  constructor() {
    super(
      'A query went to the root database handle while this same piece of work holds an open transaction: on PGlite it would wait for that transaction forever. Run it on the transaction (trx, or the context withTransaction gives), or after the transaction ends.',
    );
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  #tx: PGliteTransaction | undefined;
  #finish: ((outcome: 'commit' | 'rollback') => void) | undefined;
  #done: Promise<unknown> | undefined;
  #marker: OpenTransaction | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#tx && transactionScope.getStore()?.open) throw new QueryOutsideTransaction();
    const runner = this.#tx ?? this.#pglite;
    const result = await runner.query<R>(compiled.sql, [...compiled.parameters]);
    return result.affectedRows !== undefined
      ? { rows: result.rows, numAffectedRows: BigInt(result.affectedRows) }
      : { rows: result.rows };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming queries are not supported on PGlite');
  }

  async begin(): Promise<void> {
    // Entered before the first await, so the caller's continuation (Kysely's, then the transaction's
    // callback) runs inside it; the caller of transaction().execute() itself does not.
    this.#marker = { open: true };
    transactionScope.enterWith(this.#marker);
    const ROLLBACK = Symbol('rollback');
    let started!: (tx: PGliteTransaction) => void;
    const ready = new Promise<PGliteTransaction>((resolve) => (started = resolve));
    this.#done = this.#pglite
      .transaction(async (tx) => {
        started(tx);
        const outcome = await new Promise<'commit' | 'rollback'>((resolve) => (this.#finish = resolve));
        if (outcome === 'rollback') throw ROLLBACK;
      })
      .catch((error: unknown) => {
        if (error !== ROLLBACK) throw error;
      });
    // If BEGIN itself fails, `done` rejects before `ready` resolves.
    this.#tx = await Promise.race([ready, this.#done.then(() => Promise.reject(new Error('transaction ended early')))]);
  }

  async end(outcome: 'commit' | 'rollback'): Promise<void> {
    const done = this.#done;
    if (this.#marker) this.#marker.open = false;
    this.#marker = undefined;
    this.#finish?.(outcome);
    this.#tx = undefined;
    this.#finish = undefined;
    this.#done = undefined;
    await done;
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGlite;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }
  async init(): Promise<void> {}
  // PGlite serialises statements itself, so each caller can have a connection object of its own.
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PGliteConnection(this.#pglite);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('commit');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('rollback');
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {
    await this.#pglite.close();
  }
}

/** Kysely on an embedded PGlite whose transactions cannot be interleaved by other users of the instance. */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#pglite);
  }
  createQueryCompiler() {
    return new PipitQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
