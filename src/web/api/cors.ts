import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

// CORS as Mastodon sends it (config/initializers/cors.rb): any origin, since the API is used with bearer
// tokens and never with cookies; the request headers browser clients send (Idempotency-Key: phanpy #91);
// and the response headers they must read (Link to page, the rate limits, the request id to report).

export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'] as const;
export const CORS_EXPOSED_HEADERS = ['Link', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id'] as const;

/**
 * Registers CORS on a scope, with its OPTIONS preflight route under the scope's prefix (so register it
 * in a prefixed scope: unprefixed, the preflight route would answer for the whole site).
 */
export function registerApiCors(scope: FastifyInstance) {
  return scope.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    credentials: false,
    maxAge: 86_400,
    // An OPTIONS without Origin or Access-Control-Request-Method is no preflight; the strict default
    // answers it with a text/plain 400 the API's JSON error rendering never sees. Lenient, it gets the
    // same 204 with the CORS headers, which tells nobody anything they could not learn from a real one.
    strictPreflight: false,
  });
}
