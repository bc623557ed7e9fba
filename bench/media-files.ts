import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runTool } from '../src/core/media/ffmpeg-runner.ts';

// The files `npm run bench:media` uploads, made once and kept in $TMPDIR/pipit-bench-media-files
// (named by what they are, so a changed size makes a new file): a 12-megapixel JPEG that weighs what a
// phone's photo does, and a 1080p H.264 + AAC clip in MP4.

const DIR = join(tmpdir(), 'pipit-bench-media-files');

/** Writes with `make` to a temporary name, then renames: an interrupted run leaves no half file behind. */
async function once(name: string, make: (path: string) => Promise<void>): Promise<string> {
  const path = join(DIR, name);
  if (existsSync(path)) return path;
  mkdirSync(DIR, { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  await make(partial);
  renameSync(partial, path);
  return path;
}

/**
 * A photo-like JPEG of width × height: smooth gradients and broad shapes (what a JPEG encodes cheaply)
 * under sensor-like noise (what it does not), so it weighs a few megabytes as a camera's file does, not
 * the few hundred kilobytes of a flat picture. Deterministic (a fixed seed). It carries EXIF orientation 6
 * (a phone held upright), so auto-orientation really rotates it, and a camera make the pipeline must drop.
 */
async function writePhoto(path: string, width: number, height: number): Promise<void> {
  const pixels = Buffer.allocUnsafe(width * height * 3);
  let seed = 0x9e3779b9;
  const random = () => {
    // xorshift32: fast and good enough for noise.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  for (let y = 0; y < height; y++) {
    const v = y / height;
    for (let x = 0; x < width; x++) {
      const u = x / width;
      // A sky-to-ground gradient, a few soft blobs and ripples, then ±14 levels of grain per channel.
      const shade = Math.sin(u * 9 + Math.cos(v * 7) * 2) * 40 + Math.cos((u - v) * 23) * 18;
      const grain = () => (random() - 0.5) * 28;
      const i = (y * width + x) * 3;
      pixels[i] = Math.max(0, Math.min(255, 90 + 120 * v + shade + grain()));
      pixels[i + 1] = Math.max(0, Math.min(255, 140 - 40 * v + shade * 0.8 + grain()));
      pixels[i + 2] = Math.max(0, Math.min(255, 210 - 150 * v + shade * 0.5 + grain()));
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'PipitBench', Model: 'Synthetic 12MP' } })
    .jpeg({ quality: 92 })
    .toFile(path);
}

/** The 12-megapixel JPEG (4000 × 3000), made on first use. */
export function benchPhoto(): Promise<string> {
  return once('photo-4000x3000-v1.jpg', (path) => writePhoto(path, 4000, 3000));
}

/**
 * A `seconds`-long 1920 × 1080, 30 fps clip (lavfi testsrc2: moving patterns and a counter, so every frame
 * differs) with a 440 Hz sine as AAC, H.264 in MP4 as a phone writes it; undefined when ffmpeg is missing.
 */
export async function benchClip(ffmpeg: string, seconds: number): Promise<string> {
  return once(`clip-1080p-${seconds}s-v1.mp4`, async (path) => {
    const args = [
      '-nostdin', '-hide_banner', '-v', 'error',
      '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-shortest', '-movflags', '+faststart',
      '-f', 'mp4', '-y', path,
    ];
    await runTool(ffmpeg, args, 600_000);
  });
}

/** Whether `ffmpeg` and `ffprobe` run here (the video part is skipped with a message when not). */
export async function ffmpegMissing(ffmpeg: string, ffprobe: string): Promise<string | undefined> {
  for (const program of [ffmpeg, ffprobe]) {
    const ok = await runTool(program, ['-version'], 10_000).then(
      () => true,
      () => false,
    );
    if (!ok) return `${program} cannot be run (install Debian's ffmpeg package, or set FFMPEG_PATH and FFPROBE_PATH)`;
  }
  return undefined;
}

export const megabytes = (path: string) => statSync(path).size / 1024 / 1024;
