import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Conflict, Invalid, Unauthenticated, type Core } from '../../core/index.ts';
import { signInPage, signUpPage } from '../html/auth-pages.ts';
import { pageContext, sendPage } from '../html/page-context.ts';
import { logIn, logOut } from '../plugins/session.ts';
import { formField, safeReturnTo, type FormBody } from './form.ts';

/** Sign up, log in, log out. Forms re-show what was typed (never the password) with the reason. */
export function registerAuth(app: FastifyInstance, core: Core): void {
  const csrf = { preHandler: app.csrfProtection };
  const rules = core.rateLimits.rules;

  app.get('/auth/sign_up', async (request, reply) => {
    if (request.account) return reply.redirect('/', 303);
    return sendPage(reply, signUpPage(pageContext(request, reply, { forms: true })));
  });

  app.post<{ Body: FormBody }>('/auth/sign_up', csrf, async (request, reply) => {
    const values = { username: formField(request.body, 'username', 100), email: formField(request.body, 'email', 300) };
    const password = formField(request.body, 'password', 2000);
    try {
      await core.rateLimits.consumeRateLimit(rules.signUpPerIp, request.ip);
      const account = await core.accounts.signUp({ ...values, password });
      await logIn(core, request, reply, account);
      return reply.redirect('/', 303);
    } catch (error) {
      if (error instanceof Invalid || error instanceof Conflict) {
        const field = error.field ?? 'username';
        return sendPage(reply, signUpPage(pageContext(request, reply, { forms: true }), { values, errors: { [field]: error.message }, alert: 'Please fix the highlighted field.' }), 422);
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
      await core.rateLimits.consumeRateLimit(rules.signInPerIp, request.ip);
      const account = await core.accounts.authenticate(login, password);
      await logIn(core, request, reply, account);
      return reply.redirect(returnTo, 303);
    } catch (error) {
      if (error instanceof Unauthenticated) return again(error.message, 401);
      throw error; // RateLimited and the unexpected go to the error pages
    }
  });

  app.post('/auth/sign_out', csrf, async (request: FastifyRequest, reply: FastifyReply) => {
    await logOut(core, request, reply);
    return reply.redirect('/', 303);
  });
}
