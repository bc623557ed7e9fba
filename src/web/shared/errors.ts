import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, Forbidden, Invalid, Conflict, NotFound, RateLimited, Unauthenticated, Unavailable, isDatabaseUnavailable, reportThrottle } from '../../core/index.ts';
import { errorPage } from '../html/views/pages.ts';
import { sendPage } from '../html/views/page-context.ts';
import { waitText } from '../html/views/wait-text.ts';

// Every error becomes a page saying what happened and what to do, with the request id to report.
// Expected errors (the user's doing) are logged at info without a stack; anything else at error with it.

interface Described {
  status: number;
  title: string;
  message: string;
  expected: boolean;
  /** The database is unreachable: logged once per interval, not at every request. */
  outage?: boolean;
}

const FASTIFY_MESSAGES: Record<number, [string, string]> = {
  400: ['Bad request', 'The request could not be understood. Please check what you sent and try again.'],
  413: ['Too large', 'What you sent is larger than this server accepts. Please shorten it and try again.'],
  415: ['Unsupported format', 'This page accepts form submissions only.'],
};

function describe(error: FastifyError | Error): Described {
  if (error instanceof NotFound) return { status: 404, title: 'Not found', message: error.message, expected: true };
  if (error instanceof Forbidden) return { status: 403, title: 'Not allowed', message: error.message, expected: true };
  if (error instanceof Unauthenticated) return { status: 401, title: 'Please log in', message: error.message, expected: true };
  if (error instanceof Invalid || error instanceof Conflict) return { status: 422, title: 'Please check your input', message: error.message, expected: true };
  if (error instanceof RateLimited) return { status: 429, title: 'Slow down a little', message: `${error.message} You can try again in ${waitText(error.retryAfterSeconds)}.`, expected: true };
  if (isDatabaseUnavailable(error)) {
    return { status: 503, title: 'Temporarily unavailable', message: 'Pipit cannot reach its database right now. Please try again in a minute.', expected: false, outage: true };
  }
  if (error instanceof Unavailable) {
    return { status: 503, title: 'Temporarily unavailable', message: 'Pipit cannot reach its database right now. Please try again in a minute.', expected: false };
  }
  if (error instanceof DomainError) return { status: 400, title: 'Something is not right', message: error.message, expected: true };
  const code = (error as FastifyError).code ?? '';
  if (code.startsWith('FST_CSRF')) {
    return { status: 403, title: 'This form has expired', message: 'For your security, forms expire. Go back, reload the page and submit again. (Cookies must be enabled.)', expected: true };
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const [title, message] = FASTIFY_MESSAGES[status] ?? ['Request not accepted', error.message];
    return { status, title, message, expected: true };
  }
  return { status: 500, title: 'Something went wrong', message: 'An unexpected error happened on our side. It has been logged; if it keeps happening, report the request id below.', expected: false };
}

function render(request: FastifyRequest, reply: FastifyReply, d: Described) {
  // The error page never needs a CSRF token of its own; the log-out button shows only when one is at hand.
  const page = errorPage({ viewer: request.account, csrfToken: '', unread: request.unreadNotifications }, { ...d, requestId: String(request.id) });
  return sendPage(reply, page, d.status);
}

export function registerErrorPages(app: FastifyInstance): void {
  const outage = reportThrottle();
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const d = describe(error);
    if (d.outage) {
      const failedRequests = outage();
      if (failedRequests !== undefined) request.log.error({ err: error, status: d.status, failedRequests }, 'database unreachable: answering 503');
    } else if (d.expected) request.log.info({ errorType: error.name, code: (error as FastifyError).code, status: d.status }, error.message);
    else request.log.error({ err: error, status: d.status }, 'unexpected error');
    if (error instanceof RateLimited) reply.header('Retry-After', String(error.retryAfterSeconds));
    if (d.outage) reply.header('Retry-After', '30');
    return render(request, reply, d);
  });
  app.setNotFoundHandler((request, reply) =>
    render(request, reply, { status: 404, title: 'Page not found', message: 'There is nothing at this address. It may have been deleted, or the link may be mistyped.', expected: true }),
  );
}
