import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, Core } from '../../core/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in account of the website session, if any. */
    account: Account | undefined;
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
  app.addHook('preHandler', async (request) => {
    const token = request.cookies[name];
    if (token) request.account = await core.sessions.resolveSession(token);
  });
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
