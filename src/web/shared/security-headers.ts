import helmet from '@fastify/helmet';
import type { ServerResponse } from 'node:http';
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
export async function registerPageSecurityHeaders(scope: FastifyInstance, config: Config): Promise<void> {
  // Not global: @fastify/helmet would build helmet's middleware anew for every answer (its CSP parsed
  // and checked each time: a sixth of the CPU of a small page). Ours never vary by request (no nonces,
  // no per-route options), so helmet sets them once, on the first answer, and every later answer gets
  // the same headers, names and values, copied.
  await scope.register(helmet, {
    global: false,
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
  let headers: [name: string, value: HeaderValue][] | undefined;
  scope.addHook('onRequest', (_request, reply, done) => {
    // Node has getRawHeaderNames (the names as set, not lower-cased) on every outgoing message; its
    // types put it on ClientRequest only.
    const res = reply.raw as ServerResponse & { getRawHeaderNames(): string[] };
    if (headers !== undefined) {
      for (const [name, value] of headers) res.setHeader(name, value);
    } else {
      const before = new Set(res.getRawHeaderNames());
      void reply.helmet();
      headers = res.getRawHeaderNames().flatMap((name): [string, HeaderValue][] => (before.has(name) ? [] : [[name, res.getHeader(name)!]]));
    }
    done();
  });
}

type HeaderValue = NonNullable<ReturnType<ServerResponse['getHeader']>>;
