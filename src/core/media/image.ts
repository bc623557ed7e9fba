import { encode } from 'blurhash';
import type { Metadata, Sharp } from 'sharp';
import type { MediaVariantMeta } from '../db/schema.ts';
import type { OutputFormat } from './keys.ts';
import { loadSharp } from './sharp.ts';

// Images through sharp (libvips). Every decode is bounded by the pixel limit, which libvips checks from
// the header before it decodes a pixel (a 30,000 × 30,000 PNG of a few kilobytes is refused, not
// inflated); `failOn: 'error'` makes a truncated or corrupt file an error rather than a half-grey picture.
// The served original is re-encoded from the pixels after EXIF orientation is applied, so no metadata
// survives (sharp writes none unless asked): GPS positions, camera serials and thumbnails are gone.

/** Why an image cannot be used: permanent, shown to its owner (a retry would fail the same way). */
export class ImageRefused extends Error {
  override name = 'ImageRefused';
}

const SMALL_MAX = 640;
/** Blurhash: 4 × 3 components of a thumbnail, as Mastodon makes them. */
const BLURHASH_X = 4;
const BLURHASH_Y = 3;
const BLURHASH_INPUT = 32;

export interface ProbedImage {
  /** What sharp read it as: `jpeg`, `png`, `webp`, `gif`, `heif`. */
  format: string;
  width: number;
  height: number;
  /** Frames (an animated GIF has more than one: the pipeline makes it a gifv). */
  pages: number;
}

export interface RenderedVariant {
  data: Buffer;
  format: OutputFormat;
  meta: MediaVariantMeta;
}

export interface RenderedImage {
  original: RenderedVariant;
  small: RenderedVariant;
  blurhash: string;
}

const DECODABLE = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);

function variantMeta(width: number, height: number): MediaVariantMeta {
  return { width, height, size: `${width}x${height}`, aspect: Math.round((width / height) * 1e6) / 1e6 };
}

export interface ProbeOptions {
  /**
   * Whether HEVC-coded HEIC is accepted (the media pipeline, where heif-convert is installed); otherwise
   * it is refused with this message. sharp reads its header (size) but cannot decode its pixels.
   */
  heic?: { accepted: true } | { accepted: false; refusal: string };
}

/** Reads the header only: the format and dimensions, refused when not an image Pipit serves or too large. */
export async function probeImage(data: Buffer, maxPixels: number, options: ProbeOptions = {}): Promise<ProbedImage> {
  const sharp = await loadSharp();
  let metadata: Metadata;
  try {
    // Only the header is read here (libvips loads pixels lazily), so the size is checked below with a
    // message that says it, rather than sharp's own refusal.
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageRefused('The file could not be read as an image: it may be corrupt.');
  }
  const format = metadata.format ?? 'unknown';
  if (format === 'svg') throw new ImageRefused('SVG images are not accepted: upload a JPEG, PNG, WebP, GIF or AVIF file.');
  if (!DECODABLE.has(format)) throw new ImageRefused(`${format.toUpperCase()} images are not accepted: upload a JPEG, PNG, WebP, GIF or AVIF file.`);
  const heic = options.heic ?? { accepted: false, refusal: 'HEIC photos are not accepted here: export the picture as JPEG and upload that.' };
  if (format === 'heif' && metadata.compression !== 'av1' && !heic.accepted) throw new ImageRefused(heic.refusal);
  const { width, height } = metadata;
  if (!width || !height) throw new ImageRefused('The image has no size: it may be corrupt.');
  if (width * height > maxPixels) {
    throw new ImageRefused(`The image is ${width} × ${height} pixels; Pipit accepts at most ${Math.floor(maxPixels / 1e6)} megapixels. Make it smaller and upload it again.`);
  }
  return { format, width, height, pages: metadata.pages ?? 1 };
}

/**
 * The small preview (fits 640 × 640, WebP) of a clean picture and its blurhash: an image's, or a video's
 * poster frame (av-render.ts). Throws sharp's error when the picture cannot be decoded.
 */
export async function renderPreview(clean: Buffer): Promise<{ small: RenderedVariant; blurhash: string }> {
  const sharp = await loadSharp();
  const small = await sharp(clean).resize({ width: SMALL_MAX, height: SMALL_MAX, fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer({ resolveWithObject: true });
  const pixels = await sharp(small.data).resize({ width: BLURHASH_INPUT, height: BLURHASH_INPUT, fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const blurhash = encode(new Uint8ClampedArray(pixels.data), pixels.info.width, pixels.info.height, BLURHASH_X, BLURHASH_Y);
  return { small: { data: small.data, format: 'webp', meta: variantMeta(small.info.width, small.info.height) }, blurhash };
}

/** The format the served original is written in: the upload's own where browsers show it, else JPEG (PNG with transparency). */
function outputFormat(probed: string, hasAlpha: boolean): OutputFormat {
  if (probed === 'jpeg' || probed === 'png' || probed === 'webp' || probed === 'gif') return probed;
  return hasAlpha ? 'png' : 'jpeg';
}

function encodeAs(image: Sharp, format: OutputFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 90 });
    case 'png':
      return image.png();
    case 'webp':
      return image.webp({ quality: 90 });
    case 'gif':
      return image.gif();
  }
}

/**
 * The served variants of an image: the original re-encoded (oriented, no metadata), a small preview that
 * fits 640 × 640, and the blurhash of the preview. Throws ImageRefused when the file cannot be decoded.
 */
export async function renderImage(data: Buffer, maxPixels: number, options: { oriented?: boolean } = {}): Promise<RenderedImage> {
  // One frame only: animated GIFs become silent videos ("gifv") in the video slice. `oriented`: the
  // pixels are already upright (a converted HEIC, whose EXIF orientation must not be applied twice).
  const sharp = await loadSharp();
  const input = () => {
    const image = sharp(data, { limitInputPixels: maxPixels, failOn: 'error', animated: false });
    return options.oriented ? image : image.autoOrient();
  };
  try {
    const { hasAlpha, format } = await sharp(data, { limitInputPixels: false }).metadata();
    const originalFormat = outputFormat(format ?? 'jpeg', hasAlpha ?? false);
    const original = await encodeAs(input(), originalFormat).toBuffer({ resolveWithObject: true });
    // The preview is made from the clean original, so nothing of the upload's metadata can reach it either.
    const preview = await renderPreview(original.data);
    return {
      original: { data: original.data, format: originalFormat, meta: variantMeta(original.info.width, original.info.height) },
      ...preview,
    };
  } catch (error) {
    if (error instanceof ImageRefused) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) throw new ImageRefused('The image has more pixels than Pipit accepts. Make it smaller and upload it again.');
    throw new ImageRefused('The image could not be decoded: the file is truncated or corrupt.');
  }
}
