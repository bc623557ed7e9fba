import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import qs from 'qs';
import type { Core, TrustProxy } from '../core/index.ts';
import { loggerOptions, registerRequestLogging, requestId } from './shared/request-logging.ts';
import { registerRequestContext } from './shared/request-context.ts';
import { registerRequestMetrics } from './shared/request-metrics.ts';
import { BODY_LIMIT, QS_OPTIONS } from './shared/limits.ts';
import { opsScope } from './ops/scope.ts';
import { htmlScope } from './html/scope.ts';
import { apiScope } from './api/scope.ts';
import { discoveryScope } from './api/discovery-scope.ts';
import { mediaScope } from './media/scope.ts';
import { oauthScope } from './oauth/plugin.ts';
import { registerOpenApi } from './api/docs/openapi.ts';
import { docsScope } from './api/docs/docs-scope.ts';
import { registerEntitySchemas } from './api/serializers/entities.ts';
import { frameworkErrors } from './framework-errors.ts';
import { buildSerializersOnFirstUse } from './shared/serializers-on-first-use.ts';

export interface AppOptions {
  /** Where log lines go (tests capture them); default stdout. */
  logStream?: DestinationStream;
  /** Pretty logs (development on a terminal). */
  prettyLogs?: boolean;
  /** Reports whether the process is shutting down, so readiness turns false first. */
  isShuttingDown?: () => boolean;
  /** Extra routes registered inside a scope, with its hooks and error rendering (tests: a route that fails as a bug would). */
  extraRoutes?: Partial<Record<'html' | 'api', (scope: FastifyInstance) => void>>;
  /** Told of every route as it is registered (tests: fuzz every endpoint without a hand-kept list). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * TRUST_PROXY as Fastify takes it: the proxies' addresses as a list; a hop count as a function, since
 * Fastify 5.12 ignores a plain number (it cannot tell the proxy from a client that connects directly,
 * so it trusts no hop). With a count, the `hops` nearest addresses — the socket's peer first — are
 * taken for proxies and the next one is the client, whatever the client wrote further left; the
 * README says to let only the proxy reach Pipit's port.
 */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/**
 * The one web application, made of encapsulated scopes (Fastify plugins), each with its own hooks,
 * body parsers and error rendering:
 * - `ops`: /livez, /readyz, /metrics — no cookies, no session lookup, no CSRF;
 * - `html`: the website — session cookie, CSRF, cross-site guard, HTML error and 404 pages; its static
 *   assets (/assets) sit in the scope's outer layer, without the session lookup;
 * - `api`: the Mastodon API under /api — JSON errors, CORS, no-store, the clients' body formats,
 *   rate-limit headers; `discovery` is its public neighbour (/.well-known, /nodeinfo);
 * - `docs`: the API's OpenAPI description and Swagger UI (/api/docs), with the website's CSP;
 * - `oauth`: the authorization server (/oauth, its own scope, registered beside these).
 * Only what every request needs is at the root: request ids, the log line, metrics, request context.
 * Tests call `app.inject()`; server.ts listens.
 */
export async function buildApp(core: Core, options: AppOptions = {}): Promise<FastifyInstance> {
  const config = core.config;
  const logger = loggerOptions(config.logLevel, options.prettyLogs ?? false) as object;
  const app = Fastify({
    ...(options.logStream ? { logger: { ...logger, stream: options.logStream } } : { logger }),
    genReqId: requestId,
    // Fastify's two lines per request are replaced by our one (registerRequestLogging).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: BODY_LIMIT,
    // A malformed path or an over-long path parameter: answered by the scope the path belongs to.
    frameworkErrors,
    // Response serializers built at each route's first response rather than all at start-up.
    schemaController: { compilersFactory: { buildSerializer: buildSerializersOnFirstUse } },
    routerOptions: { querystringParser: (s: string) => qs.parse(s, QS_OPTIONS), maxParamLength: 200 },
  });

  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  registerRequestLogging(app);
  registerRequestMetrics(app);
  registerRequestContext(app);
  // Before any scope: it collects the routes into the API description as they are registered.
  await registerOpenApi(app, config);
  registerEntitySchemas(app);

  await app.register(opsScope, { core, isShuttingDown: options.isShuttingDown ?? (() => false) });
  await app.register(apiScope, { core, prefix: '/api', extraRoutes: options.extraRoutes?.api });
  await app.register(discoveryScope, { core });
  await app.register(oauthScope, { core });
  await app.register(docsScope, { core, prefix: '/api/docs' });
  await app.register(mediaScope, { core });
  // Last: the website owns the root's not-found page, for every path no other scope claims.
  await app.register(htmlScope, { core, extraRoutes: options.extraRoutes?.html });
  return app;
}
