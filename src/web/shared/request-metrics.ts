import type { FastifyInstance } from 'fastify';
import { metrics } from '../../core/index.ts';

/** Every answered request into the duration histogram, labelled by its route pattern (`/@:username`), never the raw URL. */
export function registerRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
