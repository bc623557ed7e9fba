import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RateLimited, clientSubject, type Core, type RateRule } from '../../core/index.ts';

// Every API call counts against a window shared by all web processes (the rate_limits table), and
// every answer says where the caller stands: X-RateLimit-Limit, -Remaining and -Reset (an ISO 8601
// time, as Mastodon sends it). A call a valid token authenticates counts against that token (so the
// people behind one address — a household, an office — each have their own budget): that hit is
// written by the token's lookup itself, in the same statement (authenticate.ts, `apiTokenRateLimit`).
// Any other call counts against its IP (IPv6 by /64), here. The hook runs after the bearer token is
// resolved (scope.ts).

function setHeaders(reply: FastifyReply, limit: number, remaining: number, resetAt: Date): void {
  reply.header('X-RateLimit-Limit', String(limit));
  reply.header('X-RateLimit-Remaining', String(remaining));
  reply.header('X-RateLimit-Reset', resetAt.toISOString());
}

/** The rule a valid token's calls count against, and its key: the token's digest (never the token). */
export function apiTokenRateLimit(core: Core): { rule: RateRule; subjectOf(token: string): string } {
  return {
    rule: { ...core.rateLimits.rules.apiPerToken, limit: core.config.apiRateLimit },
    subjectOf: (token) => createHash('sha256').update(token).digest('base64url').slice(0, 32),
  };
}

/** Counts each request of this scope (preflights excepted) and answers 429 past the limit; register after the bearer hook. */
export function registerApiRateLimit(scope: FastifyInstance, core: Core): void {
  const perIp = { ...core.rateLimits.rules.apiPerIp, limit: core.config.apiRateLimit };
  scope.addHook('onRequest', async (request, reply) => {
    // A preflight is the browser asking on the client's behalf; the real call that follows counts.
    if (request.method === 'OPTIONS') return;
    const counted = request.token ? request.tokenRate : null;
    if (counted instanceof RateLimited) {
      setHeaders(reply, core.config.apiRateLimit, 0, new Date(Date.now() + counted.retryAfterSeconds * 1000));
      throw counted;
    }
    if (counted) return setHeaders(reply, counted.limit, counted.remaining, counted.resetAt);
    try {
      const state = await core.rateLimits.consumeRateLimit(perIp, clientSubject(request.ip));
      setHeaders(reply, state.limit, state.remaining, state.resetAt);
    } catch (error) {
      if (error instanceof RateLimited) setHeaders(reply, perIp.limit, 0, new Date(Date.now() + error.retryAfterSeconds * 1000));
      throw error;
    }
  });
}
