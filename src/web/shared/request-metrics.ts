import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { metrics } from '../../core/index.ts';

/** Every answered request into the duration histogram, labelled by its route pattern (`/@:username`), never the raw URL. */
export function registerRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => observeRequest(request, reply));
}

/** One answered request into the histogram (also called by hand where no hook runs: framework-errors.ts). */
export function observeRequest(request: FastifyRequest, reply: FastifyReply): void {
  metrics.httpRequestDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
}
