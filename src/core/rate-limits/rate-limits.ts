import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
export { deleteExpiredRateLimits } from '../maintenance/expired-rows.ts';
import { addHitsStatement, coalesced, countOf, rateKey, rateStateOf, windowRow, type Hit } from './hits.ts';

/** A limit: at most `limit` hits per `windowSeconds` for one key. */
export interface RateRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

// Figures from operations.md (Mastodon's defaults), shaped so that a limit meant to stop an attacker
// never locks out the person the attacker aims at:
// - sign-in: every attempt counts per IP; per account, only failures count, and only per (account,
//   client): someone else failing on your account does not lock you out. Past 25 failures an hour on
//   one account (from anywhere) the account is under attack, and each further client gets only 5 tries.
//   A correct password from a client that has not failed gets in; a botnet gets 25 + 5 per address.
// - sign-up: what is limited is accounts made (5 per 30 minutes per IP); failed attempts (a taken name,
//   a typo) come out of a separate, generous budget, so a newcomer cannot lock themselves out.
export const RATE_RULES = {
  signInPerIp: { name: 'sign-in:ip', limit: 25, windowSeconds: 5 * 60 },
  signInFailuresPerAccount: { name: 'sign-in-failures:account', limit: 25, windowSeconds: 60 * 60 },
  signInPerAccountAndIp: { name: 'sign-in:account-ip', limit: 25, windowSeconds: 60 * 60 },
  signUpPerIp: { name: 'sign-up:ip', limit: 5, windowSeconds: 30 * 60 },
  signUpAttemptsPerIp: { name: 'sign-up-attempts:ip', limit: 50, windowSeconds: 30 * 60 },
  // OAuth: registering apps is rare (once per client install), tokens a little less so; both are
  // public endpoints that write rows or check secrets, so each address gets a bounded budget.
  appRegistrationsPerIp: { name: 'oauth-apps:ip', limit: 10, windowSeconds: 10 * 60 },
  tokenRequestsPerIp: { name: 'oauth-token:ip', limit: 60, windowSeconds: 5 * 60 },
  // The API (Mastodon's defaults): every call counts, per token once a token authenticates it, else per IP.
  apiPerIp: { name: 'api:ip', limit: 300, windowSeconds: 5 * 60 },
  apiPerToken: { name: 'api:token', limit: 300, windowSeconds: 5 * 60 },
  // Uploads cost storage and worker time, far more than a call: Mastodon's 30 per 30 minutes per account.
  mediaUploadsPerAccount: { name: 'media-uploads:account', limit: 30, windowSeconds: 30 * 60 },
  // The website's search runs three searches per page: far more than a person types, far less than a scraper.
  searchPagesPerIp: { name: 'search-pages:ip', limit: 120, windowSeconds: 5 * 60 },
} satisfies Record<string, RateRule>;

/** Tries each further client gets on an account that is under attack (see RATE_RULES). */
export const SIGN_IN_TRIES_UNDER_ATTACK = 5;

export interface RateState {
  limit: number;
  remaining: number;
  resetAt: Date;
}

async function addHits(ctx: CoreContext, key: string, windowSeconds: number, n: number): Promise<Hit> {
  const { rows } = await sql<Hit>`${addHitsStatement(windowRow(key, windowSeconds, n))}`.execute(ctx.db);
  return rows[0]!;
}

/** Adds one hit to a rule's current window for a subject and returns the count and the window's end. */
async function hit(ctx: CoreContext, rule: RateRule, subject: string): Promise<Hit> {
  const key = rateKey(rule, subject);
  const share = await coalesced(ctx, `hit:${key}`, (n) => addHits(ctx, key, rule.windowSeconds, n));
  return { count: countOf(share), expires_at: share.result.expires_at };
}

/**
 * Counts one hit against a rule, in the database so every web process shares the count (a fixed
 * window per key). Throws RateLimited when over the limit.
 */
export async function consumeRateLimit(ctx: CoreContext, rule: RateRule, subject: string): Promise<RateState> {
  return rateStateOf(rule, await hit(ctx, rule, subject));
}

/** Counts one hit without refusing anything (failures that only feed a decision). */
export async function recordRateLimitHit(ctx: CoreContext, rule: RateRule, subject: string): Promise<number> {
  return (await hit(ctx, rule, subject)).count;
}

/** Hits counted in the subject's current window (0 when none is open). */
export async function peekRateLimit(ctx: CoreContext, rule: RateRule, subject: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('rate_limits')
    .select('count')
    .where('key', '=', rateKey(rule, subject))
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.count ?? 0;
}

/**
 * Gives back one hit taken by consumeRateLimit, for attempts that turn out not to count (a successful
 * sign-in, a failed sign-up). Taking first and giving back later keeps the limit exact under races.
 */
export async function refundRateLimit(ctx: CoreContext, rule: RateRule, subject: string): Promise<void> {
  await ctx.db
    .updateTable('rate_limits')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('key', '=', rateKey(rule, subject))
    .where('count', '>', 0)
    .where('expires_at', '>', sql<Date>`now()`)
    .execute();
}
