import { decode, isBlurhashValid } from 'blurhash';
import { loadSharp } from './sharp.ts';

// A picture's placeholder while it loads: its blurhash drawn as a tiny PNG, which the browser scales up
// (it is a blur anyway). Decoded with the blurhash library that made it (image.ts), encoded by sharp.

/** Blurhashes of up to 9 × 9 components are at most 6 + 2 × 81 characters. */
const MAX_HASH = 6 + 2 * 81;
const SIZE = 32;

/** The PNG of `hash`, or undefined when it is no blurhash. */
export async function blurhashPng(hash: string): Promise<Buffer | undefined> {
  if (hash.length === 0 || hash.length > MAX_HASH || !isBlurhashValid(hash).result) return undefined;
  const pixels = decode(hash, SIZE, SIZE);
  const sharp = await loadSharp();
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width: SIZE, height: SIZE, channels: 4 } })
    .png()
    .toBuffer();
}
