import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { IDEMPOTENCY_KEY_TTL_MS } from '../posts/posts.ts';

// Rows that only age: sessions past their expiry, rate-limit windows that have ended and OAuth codes
// past their ten minutes. Nothing reads
// them (an expired session resolves to no one; an ended window counts as zero), but nothing removed
// them either, and anyone can add rate-limit rows by trying to log in. Idempotency keys go an hour
// after their claim, when they stop answering. The `cleanup` job runs this
// every hour. Deletes go in batches, each its own short statement on an index of `expires_at`, so a
// large backlog never holds long locks; one run stops after MAX_BATCHES and the next goes on.

const BATCH_SIZE = 5000;
const MAX_BATCHES = 200;

export interface ExpiredRowsRemoved {
  sessions: number;
  rateLimits: number;
  oauthCodes: number;
  idempotencyKeys: number;
}

export interface ExpiredRowsOptions {
  /** Remove what expired at or before this instant (default: now). */
  asOf?: Date;
  /** Rows per statement (default 5,000). */
  batchSize?: number;
}

async function inBatches(deleteBatch: (limit: number) => Promise<number>, batchSize: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await deleteBatch(batchSize);
    total += n;
    if (n < batchSize) break;
  }
  return total;
}

/** Removes expired sessions, in batches; returns how many. */
export async function deleteExpiredSessions(ctx: CoreContext, options: ExpiredRowsOptions = {}): Promise<number> {
  const asOf = options.asOf ?? new Date();
  return inBatches(async (limit) => {
    const result = await sql`
      DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= ${asOf} LIMIT ${limit})`.execute(ctx.db);
    return Number(result.numAffectedRows ?? 0);
  }, options.batchSize ?? BATCH_SIZE);
}

/** Removes rate-limit windows that have ended, in batches; returns how many. */
export async function deleteExpiredRateLimits(ctx: CoreContext, options: ExpiredRowsOptions = {}): Promise<number> {
  const asOf = options.asOf ?? new Date();
  return inBatches(async (limit) => {
    // A window that ends between the select and the delete is still ended; one renewed meanwhile by
    // a new hit (expires_at moved on) is kept by the second condition.
    const result = await sql`
      DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE expires_at <= ${asOf} LIMIT ${limit})
      AND expires_at <= ${asOf}`.execute(ctx.db);
    return Number(result.numAffectedRows ?? 0);
  }, options.batchSize ?? BATCH_SIZE);
}

/** Removes OAuth authorization codes past their ten minutes (used or not), in batches; returns how many. */
export async function deleteExpiredOAuthCodes(ctx: CoreContext, options: ExpiredRowsOptions = {}): Promise<number> {
  const asOf = options.asOf ?? new Date();
  return inBatches(async (limit) => {
    const result = await sql`
      DELETE FROM oauth_authorization_codes WHERE id IN (
        SELECT id FROM oauth_authorization_codes WHERE expires_at <= ${asOf} LIMIT ${limit})`.execute(ctx.db);
    return Number(result.numAffectedRows ?? 0);
  }, options.batchSize ?? BATCH_SIZE);
}

/** Removes `Idempotency-Key` claims past their hour (they answer nothing any more), in batches; returns how many. */
export async function deleteExpiredIdempotencyKeys(ctx: CoreContext, options: ExpiredRowsOptions = {}): Promise<number> {
  const cutoff = new Date((options.asOf ?? new Date()).getTime() - IDEMPOTENCY_KEY_TTL_MS);
  return inBatches(async (limit) => {
    // A key claimed anew meanwhile (created_at moved on) is kept by the second condition.
    const result = await sql`
      DELETE FROM idempotency_keys WHERE (account_id, key) IN (
        SELECT account_id, key FROM idempotency_keys WHERE created_at <= ${cutoff} LIMIT ${limit})
      AND created_at <= ${cutoff}`.execute(ctx.db);
    return Number(result.numAffectedRows ?? 0);
  }, options.batchSize ?? BATCH_SIZE);
}

/** Removes every kind of expired row (the hourly `cleanup` job); returns how many of each. */
export async function deleteExpiredRows(ctx: CoreContext, options: ExpiredRowsOptions = {}): Promise<ExpiredRowsRemoved> {
  return {
    sessions: await deleteExpiredSessions(ctx, options),
    rateLimits: await deleteExpiredRateLimits(ctx, options),
    oauthCodes: await deleteExpiredOAuthCodes(ctx, options),
    idempotencyKeys: await deleteExpiredIdempotencyKeys(ctx, options),
  };
}
