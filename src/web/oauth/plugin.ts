import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { registerAuthorize } from './authorize.ts';
import { registerOAuthEndpoints } from './endpoints.ts';

// The OAuth scope: the authorization pages (HTML, the website's session and CSRF, its error pages)
// and, encapsulated apart, the JSON endpoints (CORS, OAuth error bodies, bearer tokens).
// app.ts registers it with one line: `await app.register(oauthScope, { core })`.

export async function oauthScope(app: FastifyInstance, options: { core: Core }): Promise<void> {
  registerAuthorize(app, options.core);
  await app.register(async (endpoints) => registerOAuthEndpoints(endpoints, options.core));
}
