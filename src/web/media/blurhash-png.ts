import { decode, isBlurhashValid } from 'blurhash';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';

// A picture's placeholder while it loads: its blurhash drawn as a tiny PNG, which the browser scales up
// (it is a blur anyway). The page's CSP forbids inline styles and data: backgrounds, so the placeholder is
// an image of its own, served here; the address is the hash itself, so it is the same forever. The hash
// is decoded with the blurhash library that made it (core/media/image.ts) and encoded by sharp.

/** Blurhashes of up to 9 × 9 components are at most 4 + 2 × 81 characters. */
const MAX_HASH = 6 + 2 * 81;
const SIZE = 32;
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
    if (hash.length === 0 || hash.length > MAX_HASH || !isBlurhashValid(hash).result) {
      return reply.code(404).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send('Not found');
    }
    const pixels = decode(hash, SIZE, SIZE);
    const png = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width: SIZE, height: SIZE, channels: 4 } }).png().toBuffer();
    return reply
      .header('Content-Type', 'image/png')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', `public, max-age=${ONE_YEAR}, immutable`)
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .send(png);
  });
}
