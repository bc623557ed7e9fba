import type { CoreContext } from '../context.ts';
import { readAll } from '../storage/storage.ts';
import { HEIC_UNAVAILABLE, heicToJpeg, isHevcHeif } from './heic.ts';
import { probeAvMedia } from './av-pipeline.ts';
import { finishTask, markFailed, pendingRow, startTasks, type MediaTask, type StepOutcome } from './pipeline-tasks.ts';
import { videoSupport } from './ffmpeg-runner.ts';
import { ImageRefused, probeImage, renderImage } from './image.ts';
import { prefixOfUploadKey, variantKey } from './keys.ts';

// The media pipeline's steps, one per queue (jobs/queues.ts), run by whichever worker takes the job:
//   media-probe      reads what the upload really is, refuses what Pipit does not serve, and names the
//                    tasks it needs (an image: `image`; a video or animated GIF: `video` and `thumbnail`;
//                    audio: `audio`), enqueuing each on the same transaction;
//   media-image      writes the served original and preview and the blurhash (this file);
//   media-video      transcodes a video, gifv or audio file (av-pipeline.ts);
//   media-thumbnail  a video's poster frame as the preview and blurhash (av-pipeline.ts);
// each removes its task from the pending tasks; the task that empties the list marks the attachment ready.
// Each is idempotent: it acts only while the attachment is `processing` with its task pending, writes
// the same keys on a repeat, and records itself in one conditional UPDATE. A file that is refused marks
// the attachment `failed` with the reason; a storage or database error throws, so the job is retried,
// and the worker marks the attachment failed when the last attempt fails too (failMedia).

export type { StepOutcome } from './pipeline-tasks.ts';

async function pendingUpload(ctx: CoreContext, id: string, task: MediaTask | null) {
  const row = await pendingRow(ctx, id, task);
  if (!row) return undefined;
  const stored = await ctx.storage.get(row.uploadKey);
  if (!stored) throw new Error(`media ${id}: its upload ${row.uploadKey} is missing from storage`);
  return { uploadKey: row.uploadKey, data: await readAll(stored) };
}

/** media-probe: what the upload is; an acceptable image gets its `image` task, video and audio theirs. */
export async function probeMedia(ctx: CoreContext, id: string): Promise<StepOutcome> {
  const row = await pendingRow(ctx, id, null);
  if (!row) return 'skipped';
  // The upload's sniff said video or audio (media.ts): ffprobe judges it.
  if (row.type === 'video' || row.type === 'audio') return probeAvMedia(ctx, row);
  const upload = await pendingUpload(ctx, id, null);
  if (!upload) return 'skipped';
  let probed;
  try {
    const heic = ctx.config.mediaHeifConvert !== undefined ? ({ accepted: true } as const) : ({ accepted: false, refusal: HEIC_UNAVAILABLE } as const);
    probed = await probeImage(upload.data, ctx.config.mediaMaxImagePixels, { heic });
  } catch (error) {
    if (!(error instanceof ImageRefused)) throw error;
    await markFailed(ctx, id, error.message);
    return 'failed';
  }
  // An animated GIF is served as a silent looping video (gifv), as Mastodon does; where this worker has
  // no ffmpeg it is served as its first frame rather than refused.
  if (probed.format === 'gif' && probed.pages > 1 && (await videoSupport(ctx.config)).ok) return probeAvMedia(ctx, { ...row, format: 'gif' });
  return (await startTasks(ctx, id, 'image', ['image'], { format: probed.format })) ? 'done' : 'skipped';
}

/** media-image: the re-encoded original, the small preview and the blurhash. */
export async function processImage(ctx: CoreContext, id: string): Promise<StepOutcome> {
  const upload = await pendingUpload(ctx, id, 'image');
  if (!upload) return 'skipped';
  let rendered;
  try {
    // HEIC: converted to JPEG by heif-convert (its pixel count was checked from the header by the probe),
    // upright already, then the usual path re-encodes it without metadata.
    if (isHevcHeif(upload.data)) {
      rendered = await renderImage(await heicToJpeg(upload.data, ctx.config.mediaHeifConvert, ctx.config.mediaToolMemoryMb), ctx.config.mediaMaxImagePixels, { oriented: true });
    } else {
      rendered = await renderImage(upload.data, ctx.config.mediaMaxImagePixels);
    }
  } catch (error) {
    if (!(error instanceof ImageRefused)) throw error;
    await markFailed(ctx, id, error.message);
    return 'failed';
  }
  const prefix = prefixOfUploadKey(upload.uploadKey);
  const originalKey = variantKey(prefix, 'original', rendered.original.format);
  const smallKey = variantKey(prefix, 'small', rendered.small.format);
  await ctx.storage.put(originalKey, rendered.original.data, `image/${rendered.original.format}`);
  await ctx.storage.put(smallKey, rendered.small.data, `image/${rendered.small.format}`);
  return finishTask(ctx, id, 'image', upload.uploadKey, {
    original_key: originalKey,
    small_key: smallKey,
    original_size: rendered.original.data.length,
    small_size: rendered.small.data.length,
    blurhash: rendered.blurhash,
    meta: { original: rendered.original.meta, small: rendered.small.meta },
  });
}

/** Marks a processing attachment failed with the reason its owner sees, and drops its upload. */
export async function failMedia(ctx: CoreContext, id: string, reason: string): Promise<void> {
  await markFailed(ctx, id, reason);
}
