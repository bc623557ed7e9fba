import { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { withTransaction } from '../db/transaction.ts';
import { Invalid, NotFound, TooLarge } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { checkDescription } from './description.ts';
import { parseFocus } from './focus.ts';
import { checkQuota, mediaBytesUsed, quotaBytes } from './quota.ts';
import { newMediaPrefix, uploadKey } from './keys.ts';
import { MEDIA_COLUMNS, toMediaAttachment, type MediaAttachment } from './media-view.ts';
import { HEIC_UNAVAILABLE, isHevcHeif } from './heic.ts';
import { SNIFF_BYTES, sniffUpload, type SniffedUpload } from './sniff.ts';
import { videoSupport } from './ffmpeg-runner.ts';

// Uploads and their owner's changes. An upload is streamed into storage, counted (one past the size limit
// stops as it arrives) and judged by its first bytes (one that is not an image, a video or audio stops there), and then its row and the
// first pipeline job (`media-probe`) are committed together: a row always has its job, and a job always
// its row. What the file really is, and its variants, are the pipeline's business (pipeline.ts).

/** The longest description (alt text), as Mastodon. */
export { DESCRIPTION_MAX } from './description.ts';

export interface UploadInput {
  /** The file's bytes; its name and declared type are not asked for: only the content counts. */
  file: Readable | Buffer;
  description?: string | undefined;
  /** Mastodon's focal point, `"x,y"` with each in [-1, 1]. */
  focus?: string | undefined;
}

export interface MediaChanges {
  description?: string | undefined;
  focus?: string | undefined;
}


/** A size in the unit people read it in. */
function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.floor(bytes / (1024 * 1024))} MB` : `${Math.floor(bytes / 1024)} KB`;
}

/**
 * The bytes of `source` as they pass, counted and judged: as soon as its first bytes are in, a file that
 * is not an image, a video or audio fails with Invalid (nothing more is read), as does a video where this
 * server has no ffmpeg; past its kind's size limit it fails with TooLarge.
 */
function checkedUpload(ctx: CoreContext, source: AsyncIterable<Buffer> | Iterable<Buffer>, video: { ok: true } | { ok: false; reason: string }) {
  const imageLimit = ctx.config.mediaMaxImageBytes;
  const videoLimit = ctx.config.mediaMaxVideoBytes;
  const heicAccepted = ctx.config.mediaHeifConvert !== undefined;
  // Until the first bytes say what the file is, the larger limit holds.
  let limit = Math.max(imageLimit, videoLimit);
  let size = 0;
  let head = Buffer.alloc(0);
  let sniffed: SniffedUpload | undefined;
  const judge = () => {
    sniffed = sniffUpload(head);
    if (!sniffed.ok) throw new Invalid(sniffed.reason, 'file');
    // Without heif-convert a HEIC photo could never be processed: say so now, not after the upload.
    if (sniffed.kind === 'image' && sniffed.format === 'heif' && !heicAccepted && isHevcHeif(head)) throw new Invalid(HEIC_UNAVAILABLE, 'file');
    if (sniffed.kind !== 'image') {
      if (!video.ok) throw new Invalid(`Video and audio cannot be uploaded here yet: ${video.reason}. Upload an image instead.`, 'file');
    }
    limit = sniffed.kind === 'image' ? imageLimit : videoLimit;
  };
  const tooLarge = () => {
    const what = sniffed?.ok && sniffed.kind !== 'image' ? (sniffed.kind === 'video' ? 'Videos' : 'Audio files') : 'Images';
    return new TooLarge(`${what} have at most ${sizeText(limit)}; this file is larger.`);
  };
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      size += chunk.length;
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      if (!sniffed && head.length >= SNIFF_BYTES) judge();
      if (size > limit) throw tooLarge();
      yield chunk;
    }
    if (!sniffed) judge();
    if (size > limit) throw tooLarge();
  }
  return { stream: Readable.from(counted(), { objectMode: false }), size: () => size, sniffed: () => sniffed };
}

/** Stores an upload of `accountId` and starts its processing; the attachment comes back `processing`. */
export async function uploadMedia(ctx: CoreContext, accountId: string, input: UploadInput): Promise<MediaAttachment> {
  const description = checkDescription(input.description);
  const focus = parseFocus(input.focus);
  // Refused before a byte is stored when the quota is already full (or this file's known size passes
  // it); checked again with the true size, under the account's lock, before the row is committed.
  const quota = quotaBytes(ctx);
  if (quota !== undefined) checkQuota(await mediaBytesUsed(ctx.db, accountId), Buffer.isBuffer(input.file) ? input.file.length : undefined, quota);
  const prefix = newMediaPrefix();
  const key = uploadKey(prefix);
  // A refused file, and an interrupted request body, fail the write and leave nothing behind.
  const counted = checkedUpload(ctx, Buffer.isBuffer(input.file) ? [input.file] : (input.file as AsyncIterable<Buffer>), await videoSupport(ctx.config));
  // Removing what a failed upload wrote is best effort: a store that failed the write may fail this too,
  // and its error must not replace the one that says what happened; the storage sweep removes what stays.
  const forget = () => ctx.storage.delete(key).catch(() => undefined);
  try {
    await ctx.storage.put(key, counted.stream, 'application/octet-stream');
  } catch (error) {
    await forget();
    throw error;
  }
  try {
    // A video or audio file is typed from its sniff at once (the API shows `type: video` while it is
    // processed, as Mastodon does) and keeps its container for ffprobe's input format (pipeline.ts).
    const sniffed = counted.sniffed();
    const av = sniffed?.ok && sniffed.kind !== 'image' ? { type: sniffed.kind, format: sniffed.format } : undefined;
    const id = await withTransaction(ctx, async (tx) => {
      if (quota !== undefined) {
        // The account's row is the quota's lock: two uploads at the edge take turns here, and the
        // second counts the first's committed row, so they cannot both pass.
        await tx.db.selectFrom('accounts').select('id').where('id', '=', accountId).forNoKeyUpdate().executeTakeFirst();
        checkQuota(await mediaBytesUsed(tx.db, accountId), counted.size(), quota);
      }
      const row = await tx.db
        .insertInto('media_attachments')
        .values({
          account_id: accountId,
          upload_key: key,
          upload_size: counted.size(),
          description: description ?? '',
          focus_x: focus?.x ?? 0,
          focus_y: focus?.y ?? 0,
          ...(av ? { type: av.type } : {}),
          meta: JSON.stringify(av ? { format: av.format } : {}),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.bus.enqueue(tx.db, 'media-probe', { mediaId: row.id });
      return row.id;
    });
    return await getMedia(ctx, accountId, id);
  } catch (error) {
    await forget();
    throw error;
  }
}

/** One attachment of `accountId`'s; anyone else's is NotFound (ids cannot be probed). */
export async function getMedia(ctx: CoreContext, accountId: string, id: string): Promise<MediaAttachment> {
  if (!isId(id)) throw new NotFound('No such media.');
  const row = await ctx.db.selectFrom('media_attachments').select(MEDIA_COLUMNS).where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (!row) throw new NotFound('No such media.');
  return toMediaAttachment(row);
}

/**
 * Waits (bounded) for an upload to leave `processing`, then returns it as it is: the API answers an
 * image as ready when the pipeline finishes within `timeoutMs`, and as still processing otherwise.
 */
export async function awaitMedia(ctx: CoreContext, accountId: string, id: string, timeoutMs: number): Promise<MediaAttachment> {
  const deadline = Date.now() + timeoutMs;
  let pause = 20;
  for (;;) {
    const media = await getMedia(ctx, accountId, id);
    if (media.state !== 'processing' || Date.now() >= deadline) return media;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))));
    // At most 100 ms late: one indexed read per poll, against an answer people wait for.
    pause = Math.min(pause * 2, 100);
  }
}

/** Changes the description or focal point of an upload not yet attached to a post. */
export async function updateMedia(ctx: CoreContext, accountId: string, id: string, changes: MediaChanges): Promise<MediaAttachment> {
  const description = checkDescription(changes.description);
  const focus = parseFocus(changes.focus);
  const media = await getMedia(ctx, accountId, id);
  if (media.statusId !== null) throw new Invalid('This media is attached to a post: edit the post to change it.', 'id');
  if (description === undefined && focus === undefined) return media;
  await ctx.db
    .updateTable('media_attachments')
    .set({
      ...(description !== undefined ? { description } : {}),
      ...(focus ? { focus_x: focus.x, focus_y: focus.y } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .execute();
  return getMedia(ctx, accountId, id);
}

/** Deletes an upload not attached to a post, and then its files. */
export async function deleteMedia(ctx: CoreContext, accountId: string, id: string): Promise<MediaAttachment> {
  const media = await getMedia(ctx, accountId, id);
  const deleted = await ctx.db
    .deleteFrom('media_attachments')
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .where('status_id', 'is', null)
    .returning(['upload_key', 'original_key', 'small_key'])
    .executeTakeFirst();
  if (!deleted) throw new Invalid('This media is attached to a post: delete the post instead.', 'id');
  // After the commit: a file whose row is gone is never served again, so a failure here only leaves
  // an orphan for the storage cleanup, never a broken attachment.
  for (const key of [deleted.upload_key, deleted.original_key, deleted.small_key]) if (key) await ctx.storage.delete(key);
  return media;
}
