import type { FastifyInstance } from 'fastify';
import { isServedKey, mediaUrl, type ByteRange, type Core } from '../../core/index.ts';
import { errorHandler } from '../shared/errors.ts';
import { registerBlurhashPng } from './blurhash-png.ts';

// The stored media files, served by Pipit at /media/<key> from whichever storage (the local disk, an S3
// bucket); with MEDIA_PUBLIC_URL something else serves them (the store, a CDN), and /media/<key> — the
// address the website's pages use — is a permanent redirect there. Only keys the pipeline
// made are served (never an upload waiting to be processed, which still has its metadata); the bytes
// are images, videos and audio Pipit re-encoded (a byte range of one when asked: seeking), and the headers make sure a browser treats them as nothing else: the
// stored content type, no sniffing, and a CSP that would refuse any script or sub-resource should a file
// ever be opened as a document. A key names one version of a file forever, so it is cached for a year.

const ONE_YEAR = 365 * 24 * 3600;

/**
 * The one byte range of a `Range: bytes=…` header (`a-b`, `a-`, `-n`) within `size`, or undefined to
 * answer the whole file (no header, several ranges, or one that is malformed or outside the file: a
 * server may always ignore Range). Browsers ask for ranges to seek in a video, and Safari to play one.
 */
export function byteRange(header: string | undefined, size: number): ByteRange | undefined {
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header?.trim() ?? '');
  if (!match || size === 0 || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? undefined : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start <= end ? { start, end } : undefined;
}

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
    const rangeHeader = request.headers.range;
    const file = await core.media.readFile(request.params['*'], { range: (size) => byteRange(rangeHeader, size) });
    reply.header('X-Content-Type-Options', 'nosniff');
    if (!file) return reply.code(404).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send('Not found');
    if (file.range) reply.code(206).header('Content-Range', `bytes ${file.range.start}-${file.range.end}/${file.size}`);
    return reply
      .header('Content-Type', file.contentType)
      .header('Content-Length', String(file.range ? file.range.end - file.range.start + 1 : file.size))
      .header('Accept-Ranges', 'bytes')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', `public, max-age=${ONE_YEAR}, immutable`)
      // Web clients on other origins show these images (and read them for canvas effects).
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Access-Control-Allow-Origin', '*')
      .send(file.body);
  });
}
