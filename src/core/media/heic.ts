import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool, ToolFailed } from './ffmpeg-runner.ts';
import { ImageRefused } from './image.ts';
import { newTempDir } from './temp-files.ts';

// HEIC/HEIF photos (what iPhones take) are HEVC-coded, which sharp's prebuilt libvips cannot decode (its
// libheif has AV1 only: AVIF works). The system's `heif-convert` (Debian's libheif-examples: libheif
// with libde265) turns one into a JPEG, which then takes the usual sharp path. It runs as a child
// process on temporary files — libheif reads from a file, and a crash or a hang stays in the child —
// with a time limit, and the temporary folder is removed whatever happens.

/** How long one conversion may take: a 48-megapixel photo converts in a few seconds on a small machine. */
const CONVERT_TIMEOUT_MS = 60_000;

const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
const AV1_BRANDS = new Set(['avif', 'avis']);

/**
 * Whether a file that starts as an ISO-BMFF image (`ftyp` box) is HEVC-coded (HEIC) rather than AVIF:
 * from its major brand, else from its compatible brands (a `mif1` file names its codec among them).
 */
export function isHevcHeif(head: Buffer): boolean {
  if (head.length < 12 || head.toString('latin1', 4, 8) !== 'ftyp') return false;
  const boxSize = Math.min(head.readUInt32BE(0), head.length);
  const major = head.toString('latin1', 8, 12);
  if (HEVC_BRANDS.has(major)) return true;
  if (AV1_BRANDS.has(major)) return false;
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= boxSize; at += 4) compatible.push(head.toString('latin1', at, at + 4));
  return compatible.some((brand) => HEVC_BRANDS.has(brand)) && !compatible.some((brand) => AV1_BRANDS.has(brand));
}

/** The refusal of a HEIC photo where no converter is installed (upload, probe, conversion alike). */
export const HEIC_UNAVAILABLE = 'This server cannot convert HEIC photos: export the picture as JPEG and upload that.';

/**
 * The JPEG of a HEIC photo's primary image, with libheif's rotation and mirroring applied.
 * @param command heif-convert's path (config.mediaHeifConvert); undefined: not installed here.
 */
export async function heicToJpeg(data: Buffer, command: string | undefined, memoryMb?: number): Promise<Buffer> {
  if (command === undefined) throw new ImageRefused(HEIC_UNAVAILABLE);
  // The temp directory and the runner of ffmpeg's steps: a worker killed mid-conversion takes
  // heif-convert with it, and its directory is swept later (temp-files.ts).
  const dir = await newTempDir();
  try {
    const input = join(dir, 'upload.heic');
    await writeFile(input, data, { mode: 0o600 });
    try {
      await runTool(command, ['-q', '92', input, join(dir, 'out.jpg')], CONVERT_TIMEOUT_MS, { memoryMb });
    } catch (error) {
      if (!(error instanceof ToolFailed)) throw error;
      if (/could not be started/.test(error.message)) throw new ImageRefused(HEIC_UNAVAILABLE);
      if (error.timedOut) throw new ImageRefused('The HEIC photo took too long to convert. Export it as JPEG and upload that.');
      throw new ImageRefused('The HEIC photo could not be decoded: the file is truncated or corrupt.');
    }
    // One image: out.jpg. Several top-level images: out-1.jpg, out-2.jpg… (the first taken); depth maps
    // and other auxiliary images (out-depth.jpg, out-urn:….jpg) are never what is shown.
    const written = (await readdir(dir)).filter((name) => /^out(-\d+)?\.jpg$/.test(name)).sort((a, b) => a.length - b.length || a.localeCompare(b));
    if (written.length === 0) throw new ImageRefused('The HEIC photo could not be decoded: it holds no image.');
    return await readFile(join(dir, written[0]!));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
