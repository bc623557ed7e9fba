import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import qs from 'qs';
import type { Core } from '../../core/index.ts';
import { registerPageSecurityHeaders } from '../shared/security-headers.ts';
import { BODY_LIMIT, QS_OPTIONS } from '../shared/limits.ts';
import { registerErrorPages } from './error-pages.ts';
import { FORM_FILE_LIMITS, registerFormFiles } from './multipart-form.ts';
import { csrfCookieName, registerSessions } from './session.ts';
import { registerCrossSiteGuard } from './cross-site.ts';
import { registerAuth } from './routes/auth.ts';
import { registerPages } from './routes/pages.ts';
import { registerSearch } from './routes/search.ts';
import { registerStatusForms } from './routes/statuses.ts';
import { registerStatusEdit } from './routes/status-edit.ts';
import { registerInteractions } from './routes/interactions.ts';
import { registerProfileSettings } from './routes/profile-settings.ts';
import { registerNotificationPages } from './routes/notifications.ts';
import { registerStats } from './routes/stats.ts';
import { registerAdminJobs } from './routes/admin-jobs.ts';
import { registerAuthorizedApps } from './routes/authorized-apps.ts';
import { registerAuthorize } from '../oauth/authorize.ts';

// The website in two layers. The outer one gives every answer helmet's headers (the CSP above all) and
// HTML error pages, and serves /assets; the inner one (pages) adds what only pages need: cookies,
// the session lookup, CSRF, the cross-site guard and form bodies. The not-found page is the inner
// one's, so a mistyped address still shows the visitor as logged in.

export interface HtmlScopeOptions {
  core: Core;
  extraRoutes?: ((scope: FastifyInstance) => void) | undefined;
}

/** The html scope: helmet, /assets, then the pages with their session and CSRF hooks. */
export async function htmlScope(scope: FastifyInstance, { core, extraRoutes }: HtmlScopeOptions): Promise<void> {
  const config = core.config;
  await registerPageSecurityHeaders(scope, config);
  registerErrorPages(scope);
  await scope.register(fastifyStatic, {
    root: join(import.meta.dirname, '..', 'public'),
    prefix: '/assets/',
    maxAge: '1d',
    index: false,
    // The default avatar and header are shown by API clients on other origins (web apps like Elk).
    setHeaders: (res) => void res.header('Cross-Origin-Resource-Policy', 'cross-origin'),
  });
  await scope.register(pagesScope, { core, extraRoutes });
}

async function pagesScope(scope: FastifyInstance, { core, extraRoutes }: HtmlScopeOptions): Promise<void> {
  const config = core.config;
  await scope.register(cookie, { secret: config.secretKey });
  await scope.register(formbody, { parser: (body) => qs.parse(body, QS_OPTIONS), bodyLimit: BODY_LIMIT });
  // Multipart only for the forms with files (the compose form): see multipart-form.ts.
  await scope.register(multipart, { limits: { ...FORM_FILE_LIMITS, fileSize: Math.max(config.mediaMaxImageBytes, config.mediaMaxVideoBytes) + 1 } });
  // The larger of the limits: the core holds each kind of file to its own as it arrives (media.ts), the profile form its pictures to theirs.
  registerFormFiles(scope, Math.max(config.mediaMaxImageBytes, config.mediaMaxVideoBytes));
  await scope.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookieName(config.secureCookies),
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies, signed: true },
    // Tokens carry (an HMAC of) the session they were made in: see FastifyRequest.csrfBinding.
    getUserInfo: (request) => request.csrfBinding,
    csrfOpts: { hmacKey: createHmac('sha256', config.secretKey).update('pipit:csrf-tokens').digest() },
  });
  registerCrossSiteGuard(scope, config);
  registerSessions(scope, core);
  registerErrorPages(scope, { notFound: true });
  registerPages(scope, core);
  registerSearch(scope, core);
  registerAuth(scope, core);
  registerStatusForms(scope, core);
  registerStatusEdit(scope, core);
  registerInteractions(scope, core);
  registerProfileSettings(scope, core);
  registerNotificationPages(scope, core);
  registerStats(scope, core);
  registerAdminJobs(scope, core);
  registerAuthorizedApps(scope, core);
  registerAuthorize(scope, core);
  extraRoutes?.(scope);
}
