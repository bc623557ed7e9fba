import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'blurhash';
import sharp from 'sharp';

// The baseline of `npm run bench:media`, in a process of its own (started by bench/media.ts with an IPC
// channel): the work Pipit's media pipeline does to a file, done with sharp and ffmpeg directly — no
// server, no queue, no database. It imports nothing from src/: the parameters are copied here, and each
// says where Pipit's own live, so that a change there shows up as a difference the benchmark measures
// (update these when the pipeline's change on purpose).

// src/core/config.ts defaults: MEDIA_MAX_IMAGE_PIXELS, MEDIA_FFMPEG_THREADS, MEDIA_MAX_VIDEO_SECONDS.
const MAX_IMAGE_PIXELS = 33_177_600;
const FFMPEG_THREADS = 2;
const MAX_VIDEO_SECONDS = 300;
// src/core/media/image.ts: SMALL_MAX, BLURHASH_X/Y, BLURHASH_INPUT, the JPEG and WebP qualities.
const SMALL_MAX = 640;
const BLURHASH_INPUT = 32;

export interface DirectJob {
  kind: 'images' | 'video';
  file: string;
  count: number;
  concurrency: number;
  /** The ffmpeg program (video). */
  ffmpeg?: string;
  /** Video: whether the clip has an audio track (the pipeline asks ffprobe; the benchmark knows). */
  hasAudio?: boolean;
  /** Video: the clip's duration in seconds (where the poster frame is taken). */
  duration?: number;
}

export interface DirectResult {
  /** Milliseconds each item took, in completion order. */
  durations: number[];
  wallSeconds: number;
  /** CPU seconds of this process and the ffmpeg runs it waited for. */
  cpuSeconds: number;
  /** VmHWM of this process (ffmpeg's own memory is not in it, as it is not in the worker's). */
  peakRssMiB: number;
}

/** What src/core/media/pipeline.ts's two image steps do to one upload, output written to `out`. */
async function oneImage(file: string, out: string): Promise<void> {
  // media-probe (probeImage): the upload read from storage, its header only.
  const probed = await sharp(await readFile(file), { limitInputPixels: false }).metadata();
  if (!probed.width || probed.width * probed.height! > MAX_IMAGE_PIXELS) throw new Error('the photo is refused');
  // media-image (renderImage): read again, header again, the original re-encoded after auto-orientation
  // (no metadata kept), then the preview and blurhash from that original (renderPreview).
  const data = await readFile(file);
  const { format } = await sharp(data, { limitInputPixels: false }).metadata();
  if (format !== 'jpeg') throw new Error('the benchmark uploads a JPEG');
  const original = await sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', animated: false }).autoOrient().jpeg({ quality: 90 }).toBuffer({ resolveWithObject: true });
  const small = await sharp(original.data).resize({ width: SMALL_MAX, height: SMALL_MAX, fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer({ resolveWithObject: true });
  const pixels = await sharp(small.data).resize({ width: BLURHASH_INPUT, height: BLURHASH_INPUT, fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  encode(new Uint8ClampedArray(pixels.data), pixels.info.width, pixels.info.height, 4, 3);
  // The pipeline stores both variants (local disk: one file each).
  await writeFile(`${out}-original.jpeg`, original.data);
  await writeFile(`${out}-small.webp`, small.data);
}

function ffmpeg(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`))));
  });
}

/**
 * The two ffmpeg runs of a video (src/core/media/av-render.ts, with the inputs av-probe.ts's `safeInput`
 * gives an MP4: `-f mov`, the file protocol alone): the transcode (media-video) and the poster frame
 * (media-thumbnail). The worker runs them at the same time (different queues), so they run together here;
 * each on a copy of the upload in a temp directory, as av-pipeline.ts's withUploadFile makes.
 */
async function oneVideo(job: DirectJob, dir: string): Promise<void> {
  const program = job.ffmpeg!;
  const common = ['-nostdin', '-hide_banner', '-v', 'error', '-threads', String(FFMPEG_THREADS), '-filter_threads', String(FFMPEG_THREADS)];
  const input = (path: string) => ['-protocol_whitelist', 'file', '-f', 'mov', '-i', `file:${path}`];
  const transcode = async () => {
    const upload = join(dir, 'transcode-upload');
    await copyFile(job.file, upload);
    const audio = job.hasAudio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k', '-ac', '2'] : ['-an'];
    await ffmpeg(program, [
      ...common,
      ...input(upload),
      '-map', '0:v:0',
      ...audio,
      '-sn', '-dn',
      '-vf', "scale=w='min(1920,iw)':h='min(1920,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2,format=yuv420p",
      '-fpsmax', '60',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
      '-t', String(MAX_VIDEO_SECONDS),
      '-map_metadata', '-1', '-map_chapters', '-1',
      '-movflags', '+faststart',
      '-f', 'mp4', '-y', `file:${join(dir, 'original.mp4')}`,
    ]);
  };
  const poster = async () => {
    const upload = join(dir, 'poster-upload');
    await copyFile(job.file, upload);
    const at = job.duration === undefined ? 0 : Math.min(1, job.duration / 3);
    await ffmpeg(program, [
      ...common,
      '-ss', at.toFixed(3),
      ...input(upload),
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-frames:v', '1',
      '-vf', "scale=w='min(1280,iw)':h='min(1280,ih)':force_original_aspect_ratio=decrease",
      '-map_metadata', '-1',
      '-f', 'image2', '-c:v', 'png', '-y', `file:${join(dir, 'poster.png')}`,
    ]);
  };
  await Promise.all([transcode(), poster()]);
}

/** user + system CPU of this process and of the children it waited for (/proc/self/stat, USER_HZ 100). */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

function peakRssMiB(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Runs `job.count` items, `job.concurrency` at a time, each timed from its start to its end. */
export async function runDirect(job: DirectJob): Promise<DirectResult> {
  const dir = await mkdtemp(join(tmpdir(), 'pipit-bench-direct-'));
  try {
    const cpuBefore = cpuSeconds();
    const started = performance.now();
    const durations: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: job.concurrency }, async (_, slot) => {
        // Each client writes over its own files: the disk holds `concurrency` results, not `count`.
        const out = join(dir, `slot-${slot}`);
        if (job.kind === 'video') await mkdir(out);
        while (next < job.count) {
          next++;
          const t0 = performance.now();
          if (job.kind === 'images') await oneImage(job.file, out);
          else await oneVideo(job, out);
          durations.push(performance.now() - t0);
        }
      }),
    );
    return { durations, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds() - cpuBefore, peakRssMiB: peakRssMiB() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Started by bench/media.ts: one job from the environment, its result over IPC, then exit.
if (process.argv[2] === '--child') {
  const job = JSON.parse(process.env.BENCH_DIRECT_JOB!) as DirectJob;
  process.once('disconnect', () => process.exit(1)); // the run was stopped
  try {
    // One unmeasured item first, as Pipit's side gets: libvips and the code are loaded and warm.
    if (job.kind === 'images') await runDirect({ ...job, count: 1, concurrency: 1 });
    const result = await runDirect(job);
    process.send!({ result }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
  }
}
