import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimited, clientSubject, type Core, type RateRule } from '../../core/index.ts';
import { bearerToken } from './authenticate.ts';

// Every API call counts against a window shared by all web processes (the rate_limits table), and
// every answer says where the caller stands: X-RateLimit-Limit, -Remaining and -Reset (an ISO 8601
// time, as Mastodon sends it). A call a valid token authenticates counts against that token (so the
// people behind one address — a household, an office — each have their own budget); any other call
// against its IP (IPv6 by /64). The hook runs after the bearer token is resolved (scope.ts).

function setHeaders(reply: FastifyReply, limit: number, remaining: number, resetAt: Date): void {
  reply.header('X-RateLimit-Limit', String(limit));
  reply.header('X-RateLimit-Remaining', String(remaining));
  reply.header('X-RateLimit-Reset', resetAt.toISOString());
}

/** The rule and the key a request counts against: its token's digest (never the token), else its address. */
function counted(request: FastifyRequest, perIp: RateRule, perToken: RateRule): { rule: RateRule; subject: string } {
  const token = request.token ? bearerToken(request) : undefined;
  if (token !== undefined) return { rule: perToken, subject: createHash('sha256').update(token).digest('base64url').slice(0, 32) };
  return { rule: perIp, subject: clientSubject(request.ip) };
}

/** Counts each request of this scope (preflights excepted) and answers 429 past the limit; register after the bearer hook. */
export function registerApiRateLimit(scope: FastifyInstance, core: Core): void {
  const perIp = { ...core.rateLimits.rules.apiPerIp, limit: core.config.apiRateLimit };
  const perToken = { ...core.rateLimits.rules.apiPerToken, limit: core.config.apiRateLimit };
  scope.addHook('onRequest', async (request, reply) => {
    // A preflight is the browser asking on the client's behalf; the real call that follows counts.
    if (request.method === 'OPTIONS') return;
    const { rule, subject } = counted(request, perIp, perToken);
    try {
      const state = await core.rateLimits.consumeRateLimit(rule, subject);
      setHeaders(reply, state.limit, state.remaining, state.resetAt);
    } catch (error) {
      if (error instanceof RateLimited) setHeaders(reply, rule.limit, 0, new Date(Date.now() + error.retryAfterSeconds * 1000));
      throw error;
    }
  });
}
