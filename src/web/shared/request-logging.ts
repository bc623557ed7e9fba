import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { IncomingMessage } from 'node:http';

// One JSON line per request (reqId, method, route, status, duration), request ids taken from
// X-Request-Id when well-formed, and nothing secret in any line.

const WELL_FORMED_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Reuses a caller's X-Request-Id when it is safe to log and echo, else makes a new one. */
export function requestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && WELL_FORMED_ID.test(header) ? header : randomUUID();
}

const SECRET_QUERY = /([?&](?:access_token|token|code|code_verifier|client_secret|password|_csrf)=)[^&#]*/gi;

/** The URL without secrets that may ride in a query string. */
export function safeUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

// A route parameter with one of these names is a credential (`/unsubscribe/:token`): the log shows
// the route's pattern in its place. Name any future secret path parameter so and it is covered.
const SECRET_PARAM = /(^|_)(token|secret|code|key)$/i;

/**
 * The URL of a request as it may be logged: secrets in the query string and secret path parameters
 * (see SECRET_PARAM) replaced by `[redacted]`.
 */
export function loggableUrl(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  const [path = '', query] = splitOnce(request.url, '?');
  let shown = path;
  if (pattern && /:\w/.test(pattern)) {
    const patternParts = pattern.split('/');
    const pathParts = path.split('/');
    const secret = (part: string) => part.startsWith(':') && SECRET_PARAM.test(part.slice(1).replace(/\?$/, ''));
    if (patternParts.some(secret)) {
      // Parameters are whole segments in our routes; if a path does not line up, log the pattern alone.
      shown =
        patternParts.length === pathParts.length
          ? pathParts.map((part, i) => (secret(patternParts[i]!) ? '[redacted]' : part)).join('/')
          : patternParts.map((part) => (secret(part) ? '[redacted]' : part)).join('/');
    }
  }
  return safeUrl(query === undefined ? shown : `${shown}?${query}`);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
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
      // Fastify hands its request to this serializer when it logs one; anything else gets the query rule only.
      req: (req: { method: string; url: string; routeOptions?: unknown }) => ({
        method: req.method,
        url: req.routeOptions ? loggableUrl(req as unknown as FastifyRequest) : safeUrl(req.url),
      }),
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
}

/** Echoes the request id and writes the one line per request. */
export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => logRequestCompleted(request, reply));
}

/** The one line per request (also written by hand for requests no hook sees: framework-errors.ts). */
export function logRequestCompleted(request: FastifyRequest, reply: FastifyReply): void {
  request.log.info(
    {
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: loggableUrl(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    },
    'request completed',
  );
}
