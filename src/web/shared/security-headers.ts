import type { FastifyInstance } from 'fastify';

/**
 * The headers every non-HTML answer carries (the website's come from helmet, with its CSP): browsers
 * must not guess a JSON body to be something they would run or render.
 */
export function registerNoSniff(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
  });
}
