import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/index.ts';

/**
 * The headers every non-HTML answer carries (the website's come from helmet, with its CSP): browsers
 * must not guess a JSON body to be something they would run or render.
 */
export function registerNoSniff(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
  });
}

/**
 * Helmet's headers for the pages a browser renders — the website and the API documentation
 * (api/docs/docs-scope.ts) — with one CSP: scripts, styles and fonts only from this site, no inline
 * script, nothing framed.
 */
export function registerPageSecurityHeaders(scope: FastifyInstance, config: Config) {
  return scope.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        // Videos and audio, like pictures, may come from a media store or CDN (MEDIA_PUBLIC_URL).
        mediaSrc: ["'self'", 'https:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // Forms may only submit to this site, so injected markup cannot post a form elsewhere.
        formAction: ["'self'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    crossOriginEmbedderPolicy: false,
    hsts: config.secureCookies,
  });
}
