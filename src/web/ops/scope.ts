import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { errorHandler } from '../shared/errors.ts';
import { registerNoSniff } from '../shared/security-headers.ts';
import { registerHealth } from './health.ts';
import { registerMetrics } from './metrics.ts';

// Probes and scrapes: load balancers and Prometheus call these every few seconds, so nothing here
// parses cookies, looks up a session or makes a CSRF secret.

export interface OpsScopeOptions {
  core: Core;
  isShuttingDown: () => boolean;
}

/** The ops scope: /livez, /readyz, /metrics. Errors answer as plain JSON `{"error": …}`. */
export async function opsScope(scope: FastifyInstance, { core, isShuttingDown }: OpsScopeOptions): Promise<void> {
  registerNoSniff(scope);
  scope.setErrorHandler(errorHandler((_request, reply, d) => reply.code(d.status).header('Cache-Control', 'no-store').send({ error: d.message })));
  registerHealth(scope, core, isShuttingDown);
  registerMetrics(scope, core);
}
