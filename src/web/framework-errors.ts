import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound } from '../core/index.ts';
import { renderApiError } from './api/errors.ts';
import { renderPage } from './html/error-pages.ts';
import { renderJson } from './oauth/endpoints.ts';
import { BadRequest } from './shared/error-table.ts';
import { errorHandler } from './shared/errors.ts';
import { logRequestCompleted } from './shared/request-logging.ts';
import { observeRequest } from './shared/request-metrics.ts';

// Fastify answers some requests before any route or scope sees them: a path with a malformed
// percent-encoding (`/api/v1/statuses/%zz`) and a path parameter longer than the router's
// maxParamLength. Its own answers are a JSON body of its own making ({"error":"Bad Request","code":…})
// even on the website, and a 414 for a long id. `frameworkErrors` hands them to us instead: here each
// gets the answer the scope its path belongs to would give — the API's `{"error": …}`, OAuth's
// `{"error", "error_description"}`, the website's error page — through that scope's own error handler.

const BAD_URL = 'The address is not valid: each % must begin an escape of two hexadecimal digits, and the escaped bytes must be UTF-8 (é is %C3%A9).';
const TOO_LONG = 'There is nothing at this address: a part of it is longer than any name or id here.';

const api = errorHandler(renderApiError);
const oauth = errorHandler(renderJson);
const website = errorHandler(renderPage);

/** The error handler of the scope that owns `path` (the same prefixes as the scopes in app.ts). */
function handlerFor(path: string) {
  if (/^\/(api|\.well-known|nodeinfo)(\/|$)/.test(path)) return path.startsWith('/api/v1/apps') ? oauth : api;
  if (/^\/oauth\/(?!authorize)/.test(path)) return oauth;
  return website;
}

/** Fastify's `frameworkErrors` option: what to answer for a request the router could not take. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // Such a request runs no hook, not even the root's: echo the request id, and log and count it once sent.
  reply.header('X-Request-Id', request.id);
  reply.raw.once('finish', () => {
    logRequestCompleted(request, reply);
    observeRequest(request, reply);
  });
  const ours =
    error.code === 'FST_ERR_BAD_URL'
      ? new BadRequest(BAD_URL)
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new NotFound(TOO_LONG)
        : error;
  void handlerFor(request.url.split('?')[0] ?? '')(ours as FastifyError, request, reply);
}
