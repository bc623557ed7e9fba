import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { registerNoSniff } from '../shared/security-headers.ts';
import { registerApiBodies } from './body-parsing.ts';
import { registerApiCors } from './cors.ts';
import { registerApiErrors } from './errors.ts';
import { apiTokenRateLimit, registerApiRateLimit } from './rate-limit.ts';
import { registerBearerAuthentication } from './authenticate.ts';
import { registerAccountRoutes } from './routes/accounts.ts';
import { registerCredentialRoutes } from './routes/accounts-credentials.ts';
import { registerFollowRoutes } from './routes/accounts-follow.ts';
import { registerMarkerRoutes } from './routes/markers.ts';
import { registerUserProbeRoutes } from './routes/user-probes.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerNotificationRoutes } from './routes/notifications.ts';
import { registerGroupedNotificationRoutes } from './routes/notifications-v2.ts';
import { registerInstanceRoutes } from './routes/instance.ts';
import { registerPipitStats } from './routes/pipit-stats.ts';
import { registerStatusActionRoutes } from './routes/status-actions.ts';
import { registerStatusRoutes } from './routes/statuses.ts';
import { registerTimelineRoutes } from './routes/timelines.ts';
import { documentationOnly } from './docs/documentation-only.ts';
import { registerMediaRoutes } from './routes/media.ts';

// The Mastodon API, registered with the prefix /api. No cookies are read here: the API authenticates
// with bearer tokens only (api/authenticate.ts), so no session lookup, no
// CSRF. Routes inside register paths without the prefix (`/v1/instance`).

/** The api scope: CORS, JSON errors and 404, no-store, the clients' body formats, rate limits, routes. */
export async function apiScope(scope: FastifyInstance, { core, extraRoutes }: { core: Core; extraRoutes?: ((scope: FastifyInstance) => void) | undefined }): Promise<void> {
  // Request schemas here document parameters, they do not check them (docs/documentation-only.ts).
  scope.setValidatorCompiler(documentationOnly);
  registerNoSniff(scope);
  scope.addHook('onRequest', async (_request, reply) => {
    // Answers differ per token; a route whose answer is public may say otherwise.
    reply.header('Cache-Control', 'no-store');
  });
  await registerApiCors(scope);
  registerApiErrors(scope, { notFound: true });
  await registerApiBodies(scope);
  // The token first: the rate limit counts per token once one authenticates the call (the lookup
  // counts it, in the same statement), else per address.
  registerBearerAuthentication(scope, core, { rateLimit: apiTokenRateLimit(core) });
  registerApiRateLimit(scope, core);
  registerInstanceRoutes(scope, core);
  registerPipitStats(scope, core);
  registerCredentialRoutes(scope, core);
  registerAccountRoutes(scope, core);
  registerFollowRoutes(scope, core);
  registerMarkerRoutes(scope, core);
  registerUserProbeRoutes(scope, core);
  registerSearchRoutes(scope, core);
  registerNotificationRoutes(scope, core);
  registerGroupedNotificationRoutes(scope, core);
  registerStatusRoutes(scope, core);
  registerStatusActionRoutes(scope, core);
  registerTimelineRoutes(scope, core);
  registerMediaRoutes(scope, core);
  extraRoutes?.(scope);
}
