import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, Core } from '../../core/index.ts';
import { UNREAD_CAP } from './views/layout.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in account of the website session, if any. */
    account: Account | undefined;
    /** Its unread notifications (capped), for the header of the page this request shows. */
    unreadNotifications: number | undefined;
    /**
     * What this request's CSRF tokens are bound to: a digest of the session token when logged in,
     * `anonymous` otherwise (sign-in and sign-up forms still carry a token). A token made in one
     * session is refused in any other, and every token made before a login is refused after it.
     */
    csrfBinding: string;
  }
}

const ANONYMOUS = 'anonymous';

/** `__Host-` binds the cookie to this exact origin, but browsers accept it only over https. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-pipit_session' : 'pipit_session';
}

/** The cookie holding the CSRF secret (@fastify/csrf-protection). */
export function csrfCookieName(secure: boolean): string {
  return secure ? '__Host-pipit_csrf' : 'pipit_csrf';
}

function bindingOf(sessionToken: string): string {
  return `session:${createHash('sha256').update(sessionToken).digest('base64url')}`;
}

/** Resolves the session cookie to an account on every request of this (the pages') scope that carries one. */
export function registerSessions(app: FastifyInstance, core: Core): void {
  const name = sessionCookieName(core.config.secureCookies);
  app.decorateRequest('account', undefined);
  app.decorateRequest('unreadNotifications', undefined);
  app.decorateRequest('csrfBinding', ANONYMOUS);
  app.addHook('preHandler', async (request) => {
    const token = request.cookies[name];
    if (token) request.account = await core.sessions.resolveSession(token);
    // An unknown or expired session is anonymous, as without a cookie.
    if (token && request.account) request.csrfBinding = bindingOf(token);
    if (request.account && showsPage(request)) {
      request.unreadNotifications = await core.notifications.countUnreadNotifications(request.account.id, { cap: UNREAD_CAP });
    }
  });
}

// Only a page has a header to show the count in; a form's POST answers with a redirect. (Assets, the
// API and probes are other scopes: this hook never runs for them.)
function showsPage(request: FastifyRequest): boolean {
  return request.method === 'GET' || request.method === 'HEAD';
}

/**
 * A new CSRF secret at every change of session (login, logout): the cookie is cleared now, and the
 * next page with a form makes a fresh one (so does a page rendered later in this same request).
 */
function rotateCsrfSecret(core: Core, request: FastifyRequest, reply: FastifyReply): void {
  const name = csrfCookieName(core.config.secureCookies);
  delete request.cookies[name];
  reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'lax', secure: core.config.secureCookies });
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
  request.csrfBinding = bindingOf(token);
  rotateCsrfSecret(core, request, reply);
}

/** Ends the session server-side and clears the cookie. */
export async function logOut(core: Core, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const name = sessionCookieName(core.config.secureCookies);
  const token = request.cookies[name];
  if (token) await core.sessions.endSession(token);
  reply.clearCookie(name, { path: '/', httpOnly: true, sameSite: 'lax', secure: core.config.secureCookies });
  request.account = undefined;
  request.csrfBinding = ANONYMOUS;
  rotateCsrfSecret(core, request, reply);
}
