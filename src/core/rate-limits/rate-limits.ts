import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { RateLimited } from '../domain/errors.ts';
import { cleanText } from '../domain/text-input.ts';

/** A limit: at most `limit` hits per `windowSeconds` for one key. */
export interface RateRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

// Figures from operations.md (Mastodon's defaults).
export const RATE_RULES = {
  signInPerIp: { name: 'sign-in:ip', limit: 25, windowSeconds: 5 * 60 },
  signInPerAccount: { name: 'sign-in:account', limit: 25, windowSeconds: 60 * 60 },
  signUpPerIp: { name: 'sign-up:ip', limit: 5, windowSeconds: 30 * 60 },
} satisfies Record<string, RateRule>;

export interface RateState {
  limit: number;
  remaining: number;
  resetAt: Date;
}

/**
 * Counts one hit against a rule, in the database so every web process shares the count (a fixed
 * window per key). Throws RateLimited when over the limit.
 */
export async function consumeRateLimit(ctx: CoreContext, rule: RateRule, subject: string): Promise<RateState> {
  // The subject may be what a visitor typed (a login name): a NUL in it made PostgreSQL refuse the key,
  // a 500 on the sign-in form. cleanText drops control characters, as for every user text.
  const key = `${rule.name}:${cleanText(subject).toLowerCase().slice(0, 200)}`;
  const window = `${rule.windowSeconds} seconds`;
  const row = await sql<{ count: number; expires_at: Date }>`
    INSERT INTO rate_limits AS r (key, count, expires_at)
    VALUES (${key}, 1, now() + ${window}::interval)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN r.expires_at <= now() THEN 1 ELSE r.count + 1 END,
      expires_at = CASE WHEN r.expires_at <= now() THEN excluded.expires_at ELSE r.expires_at END
    RETURNING count, expires_at`
    .execute(ctx.db)
    .then((r) => r.rows[0]!);
  const state = { limit: rule.limit, remaining: Math.max(0, rule.limit - row.count), resetAt: row.expires_at };
  if (row.count > rule.limit) {
    throw new RateLimited(Math.max(1, Math.ceil((row.expires_at.getTime() - Date.now()) / 1000)));
  }
  return state;
}

/** Removes windows that have ended; returns how many. */
export async function deleteExpiredRateLimits(ctx: CoreContext): Promise<number> {
  const result = await ctx.db.deleteFrom('rate_limits').where('expires_at', '<=', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
