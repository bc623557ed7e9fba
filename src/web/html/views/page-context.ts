import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageContext } from './layout.ts';

/**
 * What every page template needs. A CSRF token is made only when the page has a form: logged in
 * (the log-out button, compose box) or asked for (the sign-in and sign-up pages).
 */
export function pageContext(request: FastifyRequest, reply: FastifyReply, options: { forms?: boolean } = {}): PageContext {
  const needsToken = options.forms || request.account !== undefined;
  return {
    viewer: request.account,
    csrfToken: needsToken ? reply.generateCsrf({ userInfo: request.csrfBinding }) : '',
    unread: request.unreadNotifications,
    path: request.url,
    motionOk: request.headers['sec-ch-prefers-reduced-motion'] === 'no-preference',
  };
}

/** Sends a rendered page as HTML. Pages can differ per visitor, so shared caches must not keep them. */
export function sendPage(reply: FastifyReply, body: { value: string }, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('Cache-Control', 'private, no-cache')
    // Asks the browser whether its reader wants reduced motion (PageContext.motionOk), on later requests.
    .header('Accept-CH', 'Sec-CH-Prefers-Reduced-Motion')
    .header('Vary', 'Sec-CH-Prefers-Reduced-Motion')
    .type('text/html; charset=utf-8')
    .send(body.value);
}
