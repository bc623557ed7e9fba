import type { FastifyInstance } from 'fastify';
import { METRICS_REFUSALS, metricsAccess, type Core } from '../../core/index.ts';

/** GET /metrics: this process's Prometheus metrics (see metricsAccess for who may read them). */
export function registerMetrics(app: FastifyInstance, core: Core): void {
  app.get('/metrics', async (request, reply) => {
    const forwarded = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
    const access = metricsAccess(core.config, { authorization: request.headers.authorization, ip: request.ip, forwarded });
    if (access === 'disabled') return reply.callNotFound();
    if (access !== 'allowed') {
      const refusal = METRICS_REFUSALS[access];
      if (access === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="metrics"');
      return reply.code(refusal.status).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(refusal.text);
    }
    return reply.header('cache-control', 'no-store').type(core.metrics.contentType).send(await core.metrics.text());
  });
}
