import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientSubject, Conflict, Invalid, RateLimited, Unauthenticated, type Core } from '../../../core/index.ts';
import { signInPage, signUpPage, type FormState } from '../views/auth-pages.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { waitText } from '../../shared/wait-text.ts';
import { logIn, logOut } from '../session.ts';
import { formField, safeReturnTo, type FormBody } from './form.ts';

/**
 * A form shown again with a 429: what was typed stays (never the password), and the alert says in
 * plain words when trying again makes sense.
 */
function tooMany(reply: FastifyReply, error: RateLimited, what: string): string {
  reply.header('Retry-After', String(error.retryAfterSeconds));
  return `${what} You can try again in ${waitText(error.retryAfterSeconds)}. What you typed is still here.`;
}

/** Sign up, log in, log out. Forms re-show what was typed (never the password) with the reason. */
export function registerAuth(app: FastifyInstance, core: Core): void {
  const csrf = { preHandler: app.csrfProtection };
  const { rules, consumeRateLimit, refundRateLimit } = core.rateLimits;

  app.get('/auth/sign_up', async (request, reply) => {
    if (request.account) return reply.redirect('/', 303);
    return sendPage(reply, signUpPage(pageContext(request, reply, { forms: true })));
  });

  app.post<{ Body: FormBody }>('/auth/sign_up', csrf, async (request, reply) => {
    const values = { username: formField(request.body, 'username', 100), email: formField(request.body, 'email', 300) };
    const password = formField(request.body, 'password', 2000);
    const again = (state: FormState, status: number) => sendPage(reply, signUpPage(pageContext(request, reply, { forms: true }), { values, ...state }), status);
    const ip = clientSubject(request.ip);
    try {
      // A generous budget for every attempt, and the real limit on accounts made: taken now (exact
      // under races), given back below when the attempt makes no account.
      await consumeRateLimit(rules.signUpAttemptsPerIp, ip);
      await consumeRateLimit(rules.signUpPerIp, ip);
    } catch (error) {
      if (!(error instanceof RateLimited)) throw error;
      return again({ alert: tooMany(reply, error, 'Several accounts were made from your network recently, so sign-ups from it are paused.') }, 429);
    }
    try {
      const account = await core.accounts.signUp({ ...values, password });
      await logIn(core, request, reply, account);
      return reply.redirect('/', 303);
    } catch (error) {
      await refundRateLimit(rules.signUpPerIp, ip);
      if (error instanceof Invalid || error instanceof Conflict) {
        const count = Object.keys(error.fields).length;
        const errors = count ? error.fields : { username: error.message };
        return again({ errors, alert: count > 1 ? 'Please fix the highlighted fields.' : 'Please fix the highlighted field.' }, 422);
      }
      throw error;
    }
  });

  app.get<{ Querystring: { return_to?: string } }>('/auth/sign_in', async (request, reply) => {
    const returnTo = safeReturnTo(String(request.query.return_to ?? '/'));
    if (request.account) return reply.redirect(returnTo, 303);
    return sendPage(reply, signInPage(pageContext(request, reply, { forms: true }), { returnTo: returnTo === '/' ? undefined : returnTo }));
  });

  app.post<{ Body: FormBody }>('/auth/sign_in', csrf, async (request, reply) => {
    const login = formField(request.body, 'username', 254);
    const password = formField(request.body, 'password', 2000);
    const returnTo = safeReturnTo(formField(request.body, 'return_to', 2000) || '/');
    const again = (alert: string, status: number) =>
      sendPage(reply, signInPage(pageContext(request, reply, { forms: true }), { values: { username: login }, alert, returnTo }), status);
    try {
      await consumeRateLimit(rules.signInPerIp, clientSubject(request.ip));
      const account = await core.accounts.authenticate(login, password, { ip: request.ip });
      await logIn(core, request, reply, account);
      return reply.redirect(returnTo, 303);
    } catch (error) {
      if (error instanceof Unauthenticated) return again(error.message, 401);
      if (error instanceof RateLimited) return again(tooMany(reply, error, 'There were too many attempts to log in from here.'), 429);
      throw error;
    }
  });

  app.post('/auth/sign_out', csrf, async (request: FastifyRequest, reply: FastifyReply) => {
    await logOut(core, request, reply);
    return reply.redirect('/', 303);
  });
}
