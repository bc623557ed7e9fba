import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { reportThrottle } from '../../core/index.ts';
import { describeError, type DescribedError } from './error-table.ts';

/** Renders a described error; `error` is there for renderers whose format carries more (OAuth's error codes). */
export type RenderError = (request: FastifyRequest, reply: FastifyReply, described: DescribedError, error: FastifyError | Error) => unknown;

/**
 * The error handler every scope installs with its own renderer (an HTML page, a JSON body): the mapping
 * (error-table.ts), the logging and the Retry-After header are the same everywhere.
 */
export function errorHandler(render: RenderError) {
  // One throttle per thing that can be down, so an outage of one never hides the other's.
  const outages = { database: reportThrottle(), 'media storage': reportThrottle() };
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const d = describeError(error);
    if (d.outage) {
      const failedRequests = outages[d.outage]();
      if (failedRequests !== undefined) request.log.error({ err: error, status: d.status, failedRequests }, `${d.outage} unreachable: answering 503`);
    } else if (d.expected) request.log.info({ errorType: error.name, code: error.code, status: d.status }, error.message);
    else request.log.error({ err: error, status: d.status }, 'unexpected error');
    if (d.retryAfterSeconds !== undefined) reply.header('Retry-After', String(d.retryAfterSeconds));
    return render(request, reply, d, error);
  };
}
