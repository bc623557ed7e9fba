import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, Forbidden } from '../../core/index.ts';
import { errorHandler } from '../shared/errors.ts';
import { BODY_FORMATS_MESSAGE } from './body-parsing.ts';
import type { DescribedError } from '../shared/error-table.ts';

// The API's rendering of the shared error table: Mastodon's `{"error": "…"}` bodies with Mastodon's own
// wording where clients or their users know it (mastodon-api.md §6).

export const API_MESSAGES = {
  401: 'The access token is invalid',
  403: 'This action is not allowed',
  404: 'Record not found',
  429: 'Too many requests',
} as const;

/** The `error` text of an API answer for an error the table described. */
export function apiErrorMessage(d: DescribedError, error: FastifyError | Error): string {
  switch (d.status) {
    // Fastify's own 400s (schema validation, a bad body) name the parameter at fault: clients show that.
    case 400:
      return error instanceof DomainError ? d.message : error.message;
    case 401:
      return API_MESSAGES[401];
    // A domain Forbidden says which rule refused (its default is Mastodon's text; the scope check
    // says "This action is outside the authorized scopes"); anything else (a CSRF-like refusal) the generic one.
    case 403:
      return error instanceof Forbidden ? error.message : API_MESSAGES[403];
    case 404:
      return API_MESSAGES[404];
    case 415:
      return BODY_FORMATS_MESSAGE;
    case 422:
      return `Validation failed: ${d.message}`;
    case 429:
      return API_MESSAGES[429];
    default:
      return d.message;
  }
}

/** Sends an API error body (also for the not-found answer). */
export function sendApiError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send({ error: message });
}

export function renderApiError(_request: FastifyRequest, reply: FastifyReply, d: DescribedError, error: FastifyError | Error) {
  return sendApiError(reply, d.status, apiErrorMessage(d, error));
}

/** JSON errors for this scope; with `notFound` (a prefixed scope), also the answer for paths no route claims. */
export function registerApiErrors(scope: FastifyInstance, options: { notFound?: boolean } = {}): void {
  scope.setErrorHandler(errorHandler(renderApiError));
  // An unimplemented endpoint is a 404 with Mastodon's body: clients fall back only on that (§0).
  if (options.notFound) scope.setNotFoundHandler((_request, reply) => sendApiError(reply, 404, API_MESSAGES[404]));
}
