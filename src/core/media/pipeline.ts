import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { withTransaction } from '../db/transaction.ts';
import { readAll } from '../storage/storage.ts';
import { HEIC_UNAVAILABLE, heicToJpeg, isHevcHeif } from './heic.ts';
import { ImageRefused, probeImage, renderImage } from './image.ts';
import { prefixOfUploadKey, variantKey } from './keys.ts';

// The media pipeline's steps, one per queue (jobs/queues.ts), run by whichever worker takes the job:
//   media-probe  reads what the upload really is, refuses what Pipit does not serve, and names the tasks
//                it needs (an image: `image`), enqueuing each on the same transaction;
//   media-image  writes the served original and preview and the blurhash, and removes `image` from the
//                pending tasks; the task that empties the list marks the attachment ready.
// Each is idempotent: it acts only while the attachment is `processing` with its task pending, writes
// the same keys on a repeat, and records itself in one conditional UPDATE. A file that is refused marks
// the attachment `failed` with the reason; a storage or database error throws, so the job is retried,
// and the worker marks the attachment failed when the last attempt fails too (failMedia).

/** Outcome of a step, for the worker's log line. */
export type StepOutcome = 'done' | 'skipped' | 'failed';

async function pendingUpload(ctx: CoreContext, id: string, task: string | null) {
  const row = await ctx.db
    .selectFrom('media_attachments')
    .select(['id', 'state', 'pending_tasks', 'upload_key'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row || row.state !== 'processing' || !row.upload_key) return undefined;
  if (task === null ? row.pending_tasks.length > 0 : !row.pending_tasks.includes(task)) return undefined;
  const stored = await ctx.storage.get(row.upload_key);
  if (!stored) throw new Error(`media ${id}: its upload ${row.upload_key} is missing from storage`);
  return { uploadKey: row.upload_key, data: await readAll(stored) };
}

/** media-probe: what the upload is; an acceptable image gets its `image` task. */
export async function probeMedia(ctx: CoreContext, id: string): Promise<StepOutcome> {
  const upload = await pendingUpload(ctx, id, null);
  if (!upload) return 'skipped';
  let probed;
  try {
    const heic = ctx.config.mediaHeifConvert !== undefined ? ({ accepted: true } as const) : ({ accepted: false, refusal: HEIC_UNAVAILABLE } as const);
    probed = await probeImage(upload.data, ctx.config.mediaMaxImagePixels, { heic });
  } catch (error) {
    if (!(error instanceof ImageRefused)) throw error;
    await failMedia(ctx, id, error.message);
    return 'failed';
  }
  const queued = await withTransaction(ctx, async (tx) => {
    const updated = await tx.db
      .updateTable('media_attachments')
      .set({ type: 'image', pending_tasks: ['image'], meta: sql<string>`meta || ${JSON.stringify({ format: probed.format })}::jsonb`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('state', '=', 'processing')
      .where(sql<boolean>`cardinality(pending_tasks) = 0`)
      .returning('id')
      .executeTakeFirst();
    if (updated) await tx.bus.enqueue(tx.db, 'media-image', { mediaId: id });
    return updated !== undefined;
  });
  return queued ? 'done' : 'skipped';
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
      rendered = await renderImage(await heicToJpeg(upload.data, ctx.config.mediaHeifConvert), ctx.config.mediaMaxImagePixels, { oriented: true });
    } else {
      rendered = await renderImage(upload.data, ctx.config.mediaMaxImagePixels);
    }
  } catch (error) {
    if (!(error instanceof ImageRefused)) throw error;
    await failMedia(ctx, id, error.message);
    return 'failed';
  }
  const prefix = prefixOfUploadKey(upload.uploadKey);
  const originalKey = variantKey(prefix, 'original', rendered.original.format);
  const smallKey = variantKey(prefix, 'small', rendered.small.format);
  await ctx.storage.put(originalKey, rendered.original.data, `image/${rendered.original.format}`);
  await ctx.storage.put(smallKey, rendered.small.data, `image/${rendered.small.format}`);
  const meta = JSON.stringify({ original: rendered.original.meta, small: rendered.small.meta });
  const done = await ctx.db
    .updateTable('media_attachments')
    .set({
      original_key: originalKey,
      small_key: smallKey,
      original_size: rendered.original.data.length,
      small_size: rendered.small.data.length,
      blurhash: rendered.blurhash,
      meta: sql<string>`meta || ${meta}::jsonb`,
      pending_tasks: sql<string[]>`array_remove(pending_tasks, 'image')`,
      // The last task to finish makes the attachment ready, whichever worker ran the others.
      state: sql<'ready' | 'processing'>`CASE WHEN cardinality(array_remove(pending_tasks, 'image')) = 0 THEN 'ready' ELSE 'processing' END`,
      upload_key: sql<string | null>`CASE WHEN cardinality(array_remove(pending_tasks, 'image')) = 0 THEN NULL ELSE upload_key END`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('state', '=', 'processing')
    .where(sql<boolean>`'image' = ANY(pending_tasks)`)
    .returning(['state'])
    .executeTakeFirst();
  if (!done) return 'skipped';
  // Ready: the upload (with its metadata) is no longer needed. Failing here leaves an orphan for the
  // storage cleanup, never a broken attachment.
  if (done.state === 'ready') await ctx.storage.delete(upload.uploadKey);
  return 'done';
}

/** Marks a processing attachment failed with the reason its owner sees, and drops its upload. */
export async function failMedia(ctx: CoreContext, id: string, reason: string): Promise<void> {
  const uploadKey = await withTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('media_attachments').select(['upload_key']).where('id', '=', id).where('state', '=', 'processing').forUpdate().executeTakeFirst();
    if (!row) return undefined;
    await tx.db
      .updateTable('media_attachments')
      .set({ state: 'failed', failure_reason: reason.slice(0, 500), pending_tasks: [], upload_key: null, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
    return row.upload_key;
  });
  // After the commit; a failure here only leaves an orphan for the storage cleanup.
  if (uploadKey) await ctx.storage.delete(uploadKey);
}
