import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeReturnTo } from './form.ts';

/** The path of the page a form was on (its Referer), or `/`. */
export function refererPath(referer: string | undefined): string {
  // The Referer is whatever the client sends: `new URL` throws on a malformed one ("http://["),
  // which made this redirect a 500. Such a header just means "no page to come back to".
  if (!referer || !URL.canParse(referer, 'http://x')) return '/';
  return safeReturnTo(new URL(referer, 'http://x').pathname);
}

/** Sends a logged-out visitor to the login page, coming back to `returnTo` (default: the page the form was on). */
export function requireLogin(request: FastifyRequest, reply: FastifyReply, returnTo?: string): boolean {
  if (request.account) return true;
  const back = returnTo ?? refererPath(request.headers.referer);
  void reply.redirect(`/auth/sign_in?return_to=${encodeURIComponent(back)}`, 303);
  return false;
}
