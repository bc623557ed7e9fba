import { sql, type RawBuilder } from 'kysely';
import type { CoreContext } from '../context.ts';
import { RateLimited } from '../domain/errors.ts';
import { cleanText } from '../domain/text-input.ts';
import type { RateRule, RateState } from './rate-limits.ts';

// The pieces a hit is made of, shared by rate-limits.ts (plain hits) and oauth/tokens.ts (a bearer
// token's lookup and its API hit in one statement): the row key, the upsert, the batching of
// concurrent hits on one key, and the state a count means.

/** The row key of a rule and subject: bounded, whatever the subject holds. */
export function rateKey(rule: RateRule, subject: string): string {
  // The subject may be what a visitor typed: a NUL in it made PostgreSQL refuse the key, a 500 on the
  // sign-in form. cleanText drops control characters, as for every user text.
  return `${rule.name}:${cleanText(subject).toLowerCase().slice(0, 200)}`;
}

/** A key's count after a write, and when its window ends. */
export interface Hit {
  count: number;
  expires_at: Date;
}

/**
 * The upsert that adds `n` hits to a key's current window (a new window when the last one ended),
 * returning the count and the window's end; `rows` is the SELECT of the row to insert (`windowRow`),
 * with a condition when the hits count only then (tokens.ts: only for a valid token).
 */
export function addHitsStatement(rows: RawBuilder<unknown>) {
  return sql`
    INSERT INTO rate_limits AS r (key, count, expires_at) ${rows}
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN r.expires_at <= now() THEN excluded.count ELSE r.count + excluded.count END,
      expires_at = CASE WHEN r.expires_at <= now() THEN excluded.expires_at ELSE r.expires_at END
    RETURNING count, expires_at`;
}

/**
 * The new row of a key's window: `n` hits (a number, or compiledOnce's marker for one), ending `windowSeconds` from now; none unless `when` holds.
 * A count lost to a crash of the database is harmless (a few hits forgotten), so the statement's own
 * transaction commits without waiting for the disk (`synchronous_commit` off, for it alone): under a
 * burst of calls the hits of one key no longer queue behind each other's WAL flush. Hits are always
 * statements of their own on `ctx.db` (never inside a caller's transaction, whose commit this would
 * weaken too).
 */
export function windowRow(key: string, windowSeconds: number, n: number | string, when: RawBuilder<unknown> = sql`true`) {
  return sql`SELECT ${key}::text, ${n}::int, now() + ${`${windowSeconds} seconds`}::interval
    WHERE ${when} AND set_config('synchronous_commit', 'off', true) IS NOT NULL`;
}

// Concurrent hits on one key (a client's parallel API calls all count against its token) are written
// as one statement per round trip: while a key's write is in flight, the hits that arrive wait and
// then go together as `count + n`. Each still learns its own place in the window, exactly as if they
// had been written one by one, and every hit is in the table before its caller goes on (other
// processes see it) — but a busy key costs one row update per round trip instead of one per request,
// all queued on the same row lock.

/** One caller's share of a coalesced write: the statement's result, its place in the batch, the batch's size. */
export interface BatchShare<R> {
  result: R;
  index: number;
  size: number;
}
interface Waiter<R> {
  resolve(share: BatchShare<R>): void;
  reject(error: unknown): void;
}
const queuesByContext = new WeakMap<CoreContext, Map<string, { queued: Waiter<unknown>[] }>>();

function runBatch<R>(queues: Map<string, { queued: Waiter<unknown>[] }>, key: string, write: (n: number) => Promise<R>, batch: Waiter<R>[]): void {
  write(batch.length)
    .then(
      (result) => batch.forEach((w, index) => w.resolve({ result, index, size: batch.length })),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    )
    .finally(() => {
      const state = queues.get(key)!;
      const next = state.queued as Waiter<R>[];
      if (next.length === 0) {
        queues.delete(key);
        return;
      }
      state.queued = [];
      runBatch(queues, key, write, next);
    });
}

/**
 * Runs `write(n)` for `n` callers at once: the first caller for `key` runs alone; callers that come
 * while that write is in flight wait and go together in the next one. Every caller of one key must
 * pass an equivalent `write` (the key says what it writes).
 */
export function coalesced<R>(ctx: CoreContext, key: string, write: (n: number) => Promise<R>): Promise<BatchShare<R>> {
  let queues = queuesByContext.get(ctx);
  if (!queues) queuesByContext.set(ctx, (queues = new Map()));
  return new Promise<BatchShare<R>>((resolve, reject) => {
    const inFlight = queues.get(key);
    if (inFlight) {
      inFlight.queued.push({ resolve, reject } as Waiter<unknown>);
      return;
    }
    queues.set(key, { queued: [] });
    runBatch(queues, key, write, [{ resolve, reject }]);
  });
}

/** The count of the `index`-th of `size` hits written together: they are the window's last `size`, in order. */
export function countOf(share: BatchShare<{ count: number }>): number {
  return share.result.count - (share.size - 1 - share.index);
}

function retryAfter(expiresAt: Date): number {
  return Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
}

/** Where a hit leaves its subject: the state, or RateLimited (thrown) past the limit. */
export function rateStateOf(rule: RateRule, row: Hit): RateState {
  if (row.count > rule.limit) throw new RateLimited(retryAfter(row.expires_at));
  return { limit: rule.limit, remaining: Math.max(0, rule.limit - row.count), resetAt: row.expires_at };
}

