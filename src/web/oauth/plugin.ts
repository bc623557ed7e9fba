import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { registerOAuthEndpoints } from './endpoints.ts';

// The OAuth scope: the JSON endpoints (CORS, OAuth error bodies, bearer tokens). The authorization
// pages (authorize.ts) are the website's — its session, CSRF and error pages — so html/scope.ts
// registers them.

export async function oauthScope(app: FastifyInstance, options: { core: Core }): Promise<void> {
  await app.register(async (endpoints) => registerOAuthEndpoints(endpoints, options.core));
}
