import type { FastifyInstance, FastifyReply } from 'fastify';
import { RateLimited, clientSubject, type Core } from '../../core/index.ts';

// Every API call counts against a window shared by all web processes (the rate_limits table), and
// every answer says where the caller stands: X-RateLimit-Limit, -Remaining and -Reset (an ISO 8601
// time, as Mastodon sends it). Per IP (IPv6 by /64) for now; per token once tokens authenticate calls.

function setHeaders(reply: FastifyReply, limit: number, remaining: number, resetAt: Date): void {
  reply.header('X-RateLimit-Limit', String(limit));
  reply.header('X-RateLimit-Remaining', String(remaining));
  reply.header('X-RateLimit-Reset', resetAt.toISOString());
}

/** Counts each request of this scope (preflights excepted) and answers 429 past the limit. */
export function registerApiRateLimit(scope: FastifyInstance, core: Core): void {
  const rule = { ...core.rateLimits.rules.apiPerIp, limit: core.config.apiRateLimit };
  scope.addHook('onRequest', async (request, reply) => {
    // A preflight is the browser asking on the client's behalf; the real call that follows counts.
    if (request.method === 'OPTIONS') return;
    try {
      const state = await core.rateLimits.consumeRateLimit(rule, clientSubject(request.ip));
      setHeaders(reply, state.limit, state.remaining, state.resetAt);
    } catch (error) {
      if (error instanceof RateLimited) setHeaders(reply, rule.limit, 0, new Date(Date.now() + error.retryAfterSeconds * 1000));
      throw error;
    }
  });
}
