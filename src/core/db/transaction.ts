import type { Transaction } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { Database } from './schema.ts';

// Use cases that must commit together (a post and its idempotency key, a follow and its counters)
// share one transaction: each takes the context, and a context may carry a transaction. A use case
// writes `withTransaction(ctx, async (tx) => …)`: called on its own it opens a transaction; called with
// a context that already carries one, it joins it, so the caller's commit or rollback decides for all.
// Inside, every query goes through `tx.db` (on PGlite a query on the root handle there fails at once:
// pglite-dialect.ts).

/** A context whose `db` is an open transaction (publish and enqueue jobs on `tx.db`). */
export type TransactionContext = CoreContext & { readonly db: Transaction<Database> };

/** True when `ctx` carries an open transaction. */
export function inTransaction(ctx: CoreContext): ctx is TransactionContext {
  return ctx.db.isTransaction;
}

/** Runs `work` in one transaction: the one `ctx` carries, or a new one committed when `work` succeeds. */
export async function withTransaction<T>(ctx: CoreContext, work: (tx: TransactionContext) => Promise<T>): Promise<T> {
  if (inTransaction(ctx)) return work(ctx);
  return ctx.db.transaction().execute((trx) => work({ ...ctx, db: trx }));
}
