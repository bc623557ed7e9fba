import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { registerPageSecurityHeaders } from '../../shared/security-headers.ts';
import { registerApiErrors } from '../errors.ts';

// The API documentation: Swagger UI at /api/docs over the OpenAPI description at /api/docs/json
// (openapi.ts). Its own scope, beside the api scope rather than in it: these are pages and assets for a
// browser, so they get the website's CSP (helmet) instead of the API's no-store, token lookup and rate
// limit. Swagger UI's files are served by Pipit from the package (nothing is fetched from another host),
// it runs no inline script, the online validator badge is off and the top bar is left out, so the
// site's CSP needs no exception (test/browser/api-docs.test.ts checks in Chromium).

export async function docsScope(scope: FastifyInstance, { core }: { core: Core }): Promise<void> {
  await registerPageSecurityHeaders(scope, core.config);
  // Under /api, errors and unknown files read as the API's (a refused asset path, say `//`), not as
  // Fastify's default or the website's 404 page.
  registerApiErrors(scope, { notFound: true });
  await scope.register(swaggerUi, {
    // The scope's prefix (/api/docs, app.ts) gives it a 404 of its own: the website's needs its session.
    routePrefix: '/',
    // No call to validator.swagger.io: the badge would send the description to another host.
    validatorUrl: false,
    // BaseLayout: without the standalone top bar, whose Swagger logo is an SVG with an inline <style> the
    // CSP refuses, and whose address box would browse any other description.
    uiConfig: { layout: 'BaseLayout', deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    initOAuth: { usePkceWithAuthorizationCodeGrant: true, scopes: ['read'] },
    theme: { title: 'Pipit API' },
  });
  // Swagger UI answers at /api/docs/; the address without the slash, as people type it, leads there.
  scope.get('', { schema: { hide: true } }, (_request, reply) => reply.redirect('/api/docs/', 301));
}
