import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import qs from 'qs';
import type { Core, TrustProxy } from '../core/index.ts';
import { registerErrorPages } from './html/error-pages.ts';
import { loggerOptions, registerRequestLogging, requestId } from './shared/request-logging.ts';
import { csrfCookieName, registerSessions } from './html/session.ts';
import { registerCrossSiteGuard } from './html/cross-site.ts';
import { registerAuth } from './html/routes/auth.ts';
import { registerHealth } from './ops/health.ts';
import { registerPages } from './html/routes/pages.ts';
import { registerStatusForms } from './html/routes/statuses.ts';
import { registerRequestContext } from './shared/request-context.ts';
import { registerNotificationPages } from './html/routes/notifications.ts';
import { registerStats } from './html/routes/stats.ts';
import { registerAdminJobs } from './html/routes/admin-jobs.ts';
import { registerMetrics } from './ops/metrics.ts';
import { registerRequestMetrics } from './shared/request-metrics.ts';
import { registerAuthorizedApps } from './html/routes/authorized-apps.ts';
import { oauthScope } from './oauth/plugin.ts';

export interface AppOptions {
  /** Where log lines go (tests capture them); default stdout. */
  logStream?: DestinationStream;
  /** Pretty logs (development on a terminal). */
  prettyLogs?: boolean;
  /** Reports whether the process is shutting down, so readiness turns false first. */
  isShuttingDown?: () => boolean;
}

// Bounds on what a request may carry. Forms are small; the API's media uploads will raise their own.
const BODY_LIMIT = 256 * 1024;
const QS_OPTIONS = { depth: 5, arrayLimit: 100, parameterLimit: 200 } as const;

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

/** The one web application: HTML site (and, later, the API). Tests call `app.inject()`; server.ts listens. */
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
    routerOptions: { querystringParser: (s: string) => qs.parse(s, QS_OPTIONS), maxParamLength: 200 },
  });

  registerRequestLogging(app);
  registerRequestMetrics(app);
  registerRequestContext(app);
  registerErrorPages(app);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // Forms may only submit to this site, so injected markup cannot post a form elsewhere.
        formAction: ["'self'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    crossOriginEmbedderPolicy: false,
    hsts: config.secureCookies,
  });
  await app.register(cookie, { secret: config.secretKey });
  await app.register(formbody, { parser: (body) => qs.parse(body, QS_OPTIONS), bodyLimit: BODY_LIMIT });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookieName(config.secureCookies),
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies, signed: true },
    // Tokens carry (an HMAC of) the session they were made in: see FastifyRequest.csrfBinding.
    getUserInfo: (request) => request.csrfBinding,
    csrfOpts: { hmacKey: createHmac('sha256', config.secretKey).update('pipit:csrf-tokens').digest() },
  });
  registerCrossSiteGuard(app, config);
  await app.register(fastifyStatic, {
    root: join(import.meta.dirname, 'public'),
    prefix: '/assets/',
    maxAge: '1d',
    index: false,
  });

  registerSessions(app, core);
  registerHealth(app, core, options.isShuttingDown ?? (() => false));
  registerPages(app, core);
  registerAuth(app, core);
  registerStatusForms(app, core);
  registerNotificationPages(app, core);
  registerStats(app, core);
  registerAdminJobs(app, core);
  registerAuthorizedApps(app, core);
  await app.register(oauthScope, { core });
  registerMetrics(app, core);
  return app;
}
