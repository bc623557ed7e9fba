import type { FastifyInstance } from 'fastify';
import { runWithRequestId } from '../../core/index.ts';

/** Makes the request id the current one for everything the request does, so the events it publishes carry it. */
export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    runWithRequestId(String(request.id), () => done());
  });
}
