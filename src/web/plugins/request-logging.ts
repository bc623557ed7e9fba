import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { IncomingMessage } from 'node:http';

// One JSON line per request (reqId, method, route, status, duration), request ids taken from
// X-Request-Id when well-formed, and nothing secret in any line.

const WELL_FORMED_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Reuses a caller's X-Request-Id when it is safe to log and echo, else makes a new one. */
export function requestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && WELL_FORMED_ID.test(header) ? header : randomUUID();
}

const SECRET_QUERY = /([?&](?:access_token|token|code|password|_csrf)=)[^&#]*/gi;

/** The URL without secrets that may ride in a query string. */
export function safeUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

/** Pino options: redaction of every place a secret could appear, and pretty output only on a terminal in development. */
export function loggerOptions(level: string, pretty: boolean): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        'headers.cookie',
        'headers.authorization',
        '*.password',
        '*._csrf',
        '*.token',
        '*.access_token',
        'body',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: safeUrl(req.url) }),
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
}

/** Echoes the request id and writes the one line per request. */
export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: safeUrl(request.url),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
  });
}
