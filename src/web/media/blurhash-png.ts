import type { FastifyInstance } from 'fastify';
import { blurhashPng } from '../../core/index.ts';

// A picture's placeholder while it loads: its blurhash drawn as a tiny PNG, which the browser scales up
// (it is a blur anyway). The page's CSP forbids inline styles and data: backgrounds, so the placeholder is
// an image of its own, served here (drawn by core/media/blurhash-png.ts); the address is the hash
// itself, so it is the same forever.

const ONE_YEAR = 365 * 24 * 3600;

/** The address of the placeholder of `blurhash` (characters outside the URL-safe set are encoded). */
export function blurhashPath(blurhash: string): string {
  return `/media/blurhash/${encodeURIComponent(blurhash)}.png`;
}

/** GET /media/blurhash/<hash>.png */
export function registerBlurhashPng(scope: FastifyInstance): void {
  scope.get<{ Params: { file: string } }>('/media/blurhash/:file', async (request, reply) => {
    const file = request.params.file;
    const hash = file.endsWith('.png') ? file.slice(0, -'.png'.length) : '';
    const png = await blurhashPng(hash);
    if (!png) return reply.code(404).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send('Not found');
    return reply
      .header('Content-Type', 'image/png')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', `public, max-age=${ONE_YEAR}, immutable`)
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .send(png);
  });
}
