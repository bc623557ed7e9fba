import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.ts';
import { registerNoSniff } from '../shared/security-headers.ts';
import { registerApiCors } from './cors.ts';
import { registerApiErrors } from './errors.ts';
import { registerNodeinfo, registerWellKnown } from './routes/discovery.ts';
import { documentationOnly } from './docs/documentation-only.ts';

// The public documents that find the API: /.well-known/* and /nodeinfo/*, with CORS as the API has
// (browser clients read them before login) and JSON errors. Each prefix is its own scope so CORS's
// preflight route covers these paths and no others. Unknown paths there get the website's 404 page.

/** The discovery scope: /.well-known (nodeinfo, host-meta, webfinger) and /nodeinfo/2.0. */
export async function discoveryScope(scope: FastifyInstance, { core }: { core: Core }): Promise<void> {
  await scope.register(
    async (wellKnown) => {
      await discoveryBasics(wellKnown);
      registerWellKnown(wellKnown, core);
    },
    { prefix: '/.well-known' },
  );
  await scope.register(
    async (nodeinfo) => {
      await discoveryBasics(nodeinfo);
      registerNodeinfo(nodeinfo, core);
    },
    { prefix: '/nodeinfo' },
  );
}

async function discoveryBasics(scope: FastifyInstance): Promise<void> {
  // Request schemas here document parameters, they do not check them (docs/documentation-only.ts).
  scope.setValidatorCompiler(documentationOnly);
  registerNoSniff(scope);
  await registerApiCors(scope);
  registerApiErrors(scope);
}
