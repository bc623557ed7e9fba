import type { FastifyInstance } from 'fastify';
import { metricsAccess, type Core } from '../../core/index.ts';

/** GET /metrics: this process's Prometheus metrics (see metricsAccess for who may read them). */
export function registerMetrics(app: FastifyInstance, core: Core): void {
  app.get('/metrics', async (request, reply) => {
    const access = metricsAccess(core.config, request.headers.authorization);
    if (access === 'disabled') return reply.callNotFound();
    if (access === 'unauthorized') {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('text/plain; charset=utf-8')
        .send('Metrics need the METRICS_TOKEN as a bearer token (Authorization: Bearer …).\n');
    }
    return reply.header('cache-control', 'no-store').type(core.metrics.contentType).send(await core.metrics.text());
  });
}
