import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CoreContext } from '../context.ts';
import type { MediaOriginalMeta } from '../db/schema.ts';
import { QUEUES } from '../jobs/queues.ts';
import { AvRefused, DEMUXERS, probeAv, type AvInputFormat, type AvProbe } from './av-probe.ts';
import { posterFrame, transcodeAudio, transcodeVideo, type AvRunOptions } from './av-render.ts';
import { ToolFailed, videoSupport } from './ffmpeg-runner.ts';
import { renderPreview } from './image.ts';
import { newTempDir } from './temp-files.ts';
import { prefixOfUploadKey, variantKey } from './keys.ts';
import { finishTask, markFailed, pendingRow, startTasks, type MediaTask, type PendingRow, type StepOutcome } from './pipeline-tasks.ts';

// The video, gifv and audio steps of the media pipeline (pipeline.ts has the map). ffmpeg reads local
// files only, and storage may be remote: each step copies the upload into a temp directory of its own
// under the system's temp folder (temp-files.ts), runs ffprobe/ffmpeg there, stores what it made, and
// removes the directory whatever happens (a killed worker's are swept later). The probe's facts are read again by each task (a few milliseconds) rather
// than stored, so a task never acts on another attempt's stale reading.

/** The probe's time limit: reading a header takes milliseconds, a minute means something is wrong. */
const PROBE_TIMEOUT_MS = 60_000;

/** Room in an attempt for the rest of a step: copying the upload from storage, storing what was made. */
const STEP_MARGIN_MS = 60_000;

/**
 * The poster frame's time limit: one frame takes seconds, so it is not given the transcode's (up to
 * 1,700 s) but what remains of a media-thumbnail attempt after the probe and the copy. Past the attempt,
 * pg-boss fails the job and that worker takes no other thumbnail until the handler returns: a file that
 * makes the decoder spin would otherwise hold every video's poster on it for the transcode's whole limit.
 */
export function posterTimeoutMs(transcodeTimeoutSeconds: number): number {
  return Math.min(transcodeTimeoutSeconds * 1000, QUEUES['media-thumbnail'].expireInSeconds * 1000 - PROBE_TIMEOUT_MS - STEP_MARGIN_MS);
}

function runOptions(ctx: CoreContext): AvRunOptions {
  return { ffmpeg: ctx.config.ffmpegPath, threads: ctx.config.mediaFfmpegThreads, memoryMb: ctx.config.mediaToolMemoryMb, timeoutMs: ctx.config.mediaTranscodeTimeoutSeconds * 1000, maxSeconds: ctx.config.mediaMaxVideoSeconds };
}

function limits(ctx: CoreContext) {
  const c = ctx.config;
  return { maxSeconds: c.mediaMaxVideoSeconds, maxPixels: c.mediaMaxVideoPixels, maxFrameRate: c.mediaMaxVideoFrameRate, maxGifFrames: c.mediaMaxGifFrames };
}

function inputFormat(row: PendingRow): AvInputFormat {
  const format = row.format ?? '';
  if (!Object.hasOwn(DEMUXERS, format)) throw new Error(`media ${row.id}: no known container (${JSON.stringify(format)}) to read it as`);
  return format as AvInputFormat;
}

/** Runs `work` with the upload copied to a temp file; the temp directory is always removed. */
async function withUploadFile<T>(ctx: CoreContext, row: PendingRow, work: (path: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await newTempDir();
  try {
    const stored = await ctx.storage.get(row.uploadKey);
    if (!stored) throw new Error(`media ${row.id}: its upload ${row.uploadKey} is missing from storage`);
    const path = join(dir, 'upload');
    await pipeline(stored.body, createWriteStream(path, { mode: 0o600 }));
    return await work(path, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a step's ffmpeg work; a file refused on the way marks the attachment failed. */
async function judged(ctx: CoreContext, id: string, work: () => Promise<StepOutcome>): Promise<StepOutcome> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AvRefused) {
      await markFailed(ctx, id, error.message);
      return 'failed';
    }
    // ffmpeg missing on this worker: no retry would find it either.
    if (error instanceof ToolFailed && /could not be started/.test(error.message)) {
      const support = await videoSupport(ctx.config);
      await markFailed(ctx, id, `This server cannot process video or audio: ${support.ok ? error.message : support.reason}.`);
      return 'failed';
    }
    throw error;
  }
}

function probeOf(ctx: CoreContext, path: string, format: AvInputFormat): Promise<AvProbe> {
  return probeAv(ctx.config.ffprobePath, path, format, limits(ctx), PROBE_TIMEOUT_MS, ctx.config.mediaToolMemoryMb);
}

/** The probe of a video, audio file or animated GIF: judged by ffprobe, then given its tasks. */
export async function probeAvMedia(ctx: CoreContext, row: PendingRow): Promise<StepOutcome> {
  return judged(ctx, row.id, () =>
    withUploadFile(ctx, row, async (path) => {
      const format = inputFormat(row);
      const probed = await probeOf(ctx, path, format);
      const tasks: MediaTask[] = probed.kind === 'audio' ? ['audio'] : ['video', 'thumbnail'];
      return (await startTasks(ctx, row.id, probed.kind, tasks, { format })) ? 'done' : 'skipped';
    }),
  );
}

function aspect(width: number, height: number): number {
  return Math.round((width / height) * 1e6) / 1e6;
}

/**
 * Mastodon's `meta.original` of a served file, from ffprobe's reading of it, every key present (the API
 * describes it strictly): a video's size, frame rate, duration and bitrate; an audio file's last two.
 */
function originalMeta(probe: AvProbe): MediaOriginalMeta {
  const duration = probe.duration === undefined ? 0 : Math.round(probe.duration * 1000) / 1000;
  const bitrate = probe.bitrate ?? 0;
  if (!probe.width || !probe.height) return { duration, bitrate };
  const size = { width: probe.width, height: probe.height, size: `${probe.width}x${probe.height}`, aspect: aspect(probe.width, probe.height) };
  return { ...size, frame_rate: probe.frameRate ?? '0/1', duration, bitrate };
}

/** media-video: the served MP4 of a video or gifv, or the MP3 of an audio file, with its meta. */
export async function transcodeMedia(ctx: CoreContext, id: string): Promise<StepOutcome> {
  const row = (await pendingRow(ctx, id, 'video')) ?? (await pendingRow(ctx, id, 'audio'));
  if (!row) return 'skipped';
  const task: MediaTask = row.type === 'audio' ? 'audio' : 'video';
  return judged(ctx, id, () =>
    withUploadFile(ctx, row, async (path, dir) => {
      const format = inputFormat(row);
      const probed = await probeOf(ctx, path, format);
      const outputFormat = task === 'audio' ? 'mp3' : 'mp4';
      const output = join(dir, `original.${outputFormat}`);
      if (task === 'audio') await transcodeAudio(path, format, output, runOptions(ctx));
      else await transcodeVideo(path, format, probed, output, runOptions(ctx));
      // The served file's own facts (its size, frame rate and bitrate are not the upload's).
      const served = await probeOf(ctx, output, outputFormat);
      const key = variantKey(prefixOfUploadKey(row.uploadKey), 'original', outputFormat);
      const size = (await stat(output)).size;
      await ctx.storage.put(key, createReadStream(output), outputFormat === 'mp4' ? 'video/mp4' : 'audio/mpeg');
      return finishTask(ctx, id, task, row.uploadKey, { original_key: key, original_size: size, meta: { original: originalMeta(served) } });
    }),
  );
}

/** media-thumbnail: a video's poster frame as its small preview (WebP) and blurhash. */
export async function thumbnailMedia(ctx: CoreContext, id: string): Promise<StepOutcome> {
  const row = await pendingRow(ctx, id, 'thumbnail');
  if (!row) return 'skipped';
  return judged(ctx, id, () =>
    withUploadFile(ctx, row, async (path, dir) => {
      const format = inputFormat(row);
      const probed = await probeOf(ctx, path, format);
      const output = join(dir, 'poster.png');
      await posterFrame(path, format, probed, output, { ...runOptions(ctx), timeoutMs: posterTimeoutMs(ctx.config.mediaTranscodeTimeoutSeconds) });
      let preview;
      try {
        preview = await renderPreview(await readFile(output));
      } catch {
        throw new AvRefused('No picture could be taken from the video: the file is truncated or corrupt.');
      }
      const key = variantKey(prefixOfUploadKey(row.uploadKey), 'small', preview.small.format);
      await ctx.storage.put(key, preview.small.data, 'image/webp');
      return finishTask(ctx, id, 'thumbnail', row.uploadKey, { small_key: key, small_size: preview.small.data.length, blurhash: preview.blurhash, meta: { small: preview.small.meta } });
    }),
  );
}
