import type { FastifyError } from 'fastify';
import { DomainError, Forbidden, Invalid, Conflict, NotFound, OAuthError, RateLimited, StorageUnavailable, TooLarge, Unauthenticated, Unavailable, isDatabaseUnavailable } from '../../core/index.ts';
import { waitText } from './wait-text.ts';

// The one table from errors to HTTP: every scope (HTML pages, the API, OAuth) maps errors through it and
// only renders the result its own way. Expected errors (the caller's doing) are logged at info without a
// stack; anything else at error with it.

export interface DescribedError {
  status: number;
  /** A short heading (pages use it; JSON bodies do not). */
  title: string;
  /** What happened and what to do, in words a person can act on. */
  message: string;
  expected: boolean;
  /** What is unreachable (the database, the media storage): logged once per interval, not at every request. */
  outage?: 'database' | 'media storage';
  /** Seconds after which trying again makes sense (sent as Retry-After). */
  retryAfterSeconds?: number;
}

/**
 * A request the web layer cannot read — a malformed body or address — with a message that says what to
 * fix. Every scope shows that message (a bare Error with a statusCode would get the generic text of
 * FASTIFY_MESSAGES, written for Fastify's own, technical, messages).
 */
export class BadRequest extends Error {
  override name = 'BadRequest';
  readonly statusCode = 400;
}

const FASTIFY_MESSAGES: Record<number, [string, string]> = {
  400: ['Bad request', 'The request could not be understood. Please check what you sent and try again.'],
  413: ['Too large', 'What you sent is larger than this server accepts. Please shorten it and try again.'],
  415: ['Unsupported format', 'This address does not accept that content type.'],
};

const UNAVAILABLE_MESSAGE = 'Pipit cannot reach its database right now. Please try again in a minute.';
const STORAGE_UNAVAILABLE_MESSAGE = 'Pipit cannot reach its media storage right now, so files cannot be stored or read. Please try again in a minute.';

export function describeError(error: FastifyError | Error): DescribedError {
  // RFC 6749 §5.2: a client that failed to authenticate gets 401; RFC 7009 gives revoking another's token 403.
  if (error instanceof OAuthError) {
    const status = error.code === 'invalid_client' ? 401 : error.code === 'unauthorized_client' ? 403 : 400;
    return { status, title: 'Authorization refused', message: error.message, expected: true };
  }
  if (error instanceof NotFound) return { status: 404, title: 'Not found', message: error.message, expected: true };
  if (error instanceof Forbidden) return { status: 403, title: 'Not allowed', message: error.message, expected: true };
  if (error instanceof Unauthenticated) return { status: 401, title: 'Please log in', message: error.message, expected: true };
  if (error instanceof Invalid || error instanceof Conflict) return { status: 422, title: 'Please check your input', message: error.message, expected: true };
  if (error instanceof TooLarge) return { status: 413, title: 'Too large', message: error.message, expected: true };
  if (error instanceof RateLimited) {
    return {
      status: 429,
      title: 'Slow down a little',
      message: `${error.message} You can try again in ${waitText(error.retryAfterSeconds)}.`,
      expected: true,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  // Before the database's check, whose patterns a store's error text could happen to match.
  if (error instanceof StorageUnavailable) return { status: 503, title: 'Temporarily unavailable', message: STORAGE_UNAVAILABLE_MESSAGE, expected: false, outage: 'media storage', retryAfterSeconds: 30 };
  if (isDatabaseUnavailable(error)) {
    return { status: 503, title: 'Temporarily unavailable', message: UNAVAILABLE_MESSAGE, expected: false, outage: 'database', retryAfterSeconds: 30 };
  }
  if (error instanceof Unavailable) return { status: 503, title: 'Temporarily unavailable', message: UNAVAILABLE_MESSAGE, expected: false };
  if (error instanceof BadRequest) return { status: 400, title: 'Bad request', message: error.message, expected: true };
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
  return { status: 500, title: 'Something went wrong', message: 'An unexpected error happened on our side. It has been logged; if it keeps happening, report the request id.', expected: false };
}
