import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, Core } from '../../core/index.ts';
import { UNREAD_CAP } from '../html/layout.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in account of the website session, if any. */
    account: Account | undefined;
    /** Its unread notifications (capped), for the header of the page this request shows. */
    unreadNotifications: number | undefined;
  }
}

/** `__Host-` binds the cookie to this exact origin, but browsers accept it only over https. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-pipit_session' : 'pipit_session';
}

/** Resolves the session cookie to an account on every request that carries one. */
export function registerSessions(app: FastifyInstance, core: Core): void {
  const name = sessionCookieName(core.config.secureCookies);
  app.decorateRequest('account', undefined);
  app.decorateRequest('unreadNotifications', undefined);
  app.addHook('preHandler', async (request) => {
    const token = request.cookies[name];
    if (token) request.account = await core.sessions.resolveSession(token);
    if (request.account && showsPage(request)) {
      request.unreadNotifications = await core.notifications.countUnreadNotifications(request.account.id, { cap: UNREAD_CAP });
    }
  });
}

// Only a page has a header to show the count in: assets, the JSON API and probes skip the query.
const NOT_PAGES = /^\/(?:assets|api|metrics|livez|readyz)(?:\/|$)/;

function showsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !NOT_PAGES.test(request.url);
}

/** Starts a fresh session (a new id at every login) and sets its cookie. */
export async function logIn(core: Core, request: FastifyRequest, reply: FastifyReply, account: Account): Promise<void> {
  const name = sessionCookieName(core.config.secureCookies);
  const old = request.cookies[name];
  if (old) await core.sessions.endSession(old);
  const token = await core.sessions.createSession(account.id, { userAgent: request.headers['user-agent'] ?? '', ip: request.ip });
  reply.setCookie(name, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: core.config.secureCookies,
    maxAge: 30 * 24 * 60 * 60,
  });
  request.account = account;
}

/** Ends the session server-side and clears the cookie. */
export async function logOut(core: Core, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const name = sessionCookieName(core.config.secureCookies);
  const token = request.cookies[name];
  if (token) await core.sessions.endSession(token);
  reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'lax', secure: core.config.secureCookies });
  request.account = undefined;
}
