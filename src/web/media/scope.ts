import type { FastifyInstance } from 'fastify';
import { isServedKey, mediaUrl, type Core } from '../../core/index.ts';
import { errorHandler } from '../shared/errors.ts';
import { registerBlurhashPng } from './blurhash-png.ts';

// The stored media files, served by Pipit at /media/<key> from whichever storage (the local disk, an S3
// bucket); with MEDIA_PUBLIC_URL something else serves them (the store, a CDN), and /media/<key> — the
// address the website's pages use — is a permanent redirect there. Only keys the pipeline
// made are served (never an upload waiting to be processed, which still has its metadata); the bytes
// are images Pipit re-encoded, and the headers make sure a browser treats them as nothing else: the
// stored content type, no sniffing, and a CSP that would refuse any script or sub-resource should a file
// ever be opened as a document. A key names one version of a file forever, so it is cached for a year.

const ONE_YEAR = 365 * 24 * 3600;

/** GET /media/* (and HEAD). */
export async function mediaScope(scope: FastifyInstance, { core }: { core: Core }): Promise<void> {
  // Errors as plain text, like the 404: the store unreachable is a 503 that says so (error-table.ts).
  scope.setErrorHandler(errorHandler((_request, reply, d) => reply.code(d.status).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(d.message)));
  registerBlurhashPng(scope);
  scope.get<{ Params: { '*': string } }>('/media/*', async (request, reply) => {
    if (core.config.mediaServedElsewhere && isServedKey(request.params['*'])) {
      // A key names one version of a file forever, so the redirect may be cached as long as the file.
      return reply.header('Cache-Control', `public, max-age=${ONE_YEAR}, immutable`).redirect(mediaUrl(core.config, request.params['*']), 301);
    }
    const file = await core.media.readFile(request.params['*']);
    reply.header('X-Content-Type-Options', 'nosniff');
    if (!file) return reply.code(404).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send('Not found');
    return reply
      .header('Content-Type', file.contentType)
      .header('Content-Length', String(file.size))
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', `public, max-age=${ONE_YEAR}, immutable`)
      // Web clients on other origins show these images (and read them for canvas effects).
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Access-Control-Allow-Origin', '*')
      .send(file.body);
  });
}
