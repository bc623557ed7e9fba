import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';

/** Liveness (the process answers) and readiness (database reachable, migrations current). */
export function registerHealth(app: FastifyInstance, core: Core, isShuttingDown: () => boolean): void {
  app.get('/livez', async () => ({ status: 'UP' }));
  app.get('/readyz', async (_request, reply) => {
    if (isShuttingDown()) return reply.code(503).send({ status: 'DOWN', reason: 'shutting down' });
    const { ready, reason } = await core.readiness();
    return reply.code(ready ? 200 : 503).send(ready ? { status: 'UP' } : { status: 'DOWN', reason });
  });
}
