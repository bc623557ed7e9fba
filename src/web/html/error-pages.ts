import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorHandler } from '../shared/errors.ts';
import type { DescribedError } from '../shared/error-table.ts';
import { errorPage } from './views/pages.ts';
import { sendPage } from './views/page-context.ts';

// Every error on the website becomes a page saying what happened and what to do, with the request id to report.

export function renderPage(request: FastifyRequest, reply: FastifyReply, d: DescribedError) {
  // The error page never needs a CSRF token of its own; the log-out button shows only when one is at hand.
  const page = errorPage({ viewer: request.account, csrfToken: '', unread: request.unreadNotifications }, { ...d, requestId: String(request.id) });
  return sendPage(reply, page, d.status);
}

/** HTML error pages for this scope; with `notFound`, also the page for addresses no route claims. */
export function registerErrorPages(app: FastifyInstance, options: { notFound?: boolean } = {}): void {
  app.setErrorHandler(errorHandler(renderPage));
  if (!options.notFound) return;
  app.setNotFoundHandler((request, reply) =>
    renderPage(request, reply, { status: 404, title: 'Page not found', message: 'There is nothing at this address. It may have been deleted, or the link may be mistyped.', expected: true }),
  );
}
