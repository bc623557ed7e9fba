import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Invalid, MAX_ATTACHMENTS as MAX_PICTURES, TooLarge, type Core, type MediaAttachment } from '../../../core/index.ts';
import { fileBytes, remainingParts } from '../multipart-form.ts';
import { formField, type FormBody } from './form.ts';

// The pictures of a post written on the website: the compose form's file inputs (`file_1`…`file_4`)
// with their descriptions (`description_1`…), uploaded through the same core use case, rate limit and
// bounded wait as the API's v2 upload (routes/media.ts). A refused picture undoes the others, so a
// refused form leaves no uploads behind; the message says the files must be chosen again, since a
// browser cannot get them back after the redirect.

const FILE_FIELD = /^file_([1-4])$/;
/** Said with every refusal: the text comes back, the files cannot. */
const CHOOSE_AGAIN = 'Your text is kept; choose the pictures again.';

/** Thrown for a picture the form must be sent back for (the route makes it the compose box's message). */
export class PictureRefused extends Invalid {}

/**
 * Deletes uploads not yet attached (after a refusal); the files go with them. Each is first let finish
 * processing (within the upload wait): deleted mid-way, the worker would still write its variants, and
 * they would wait for a storage cleanup as orphans.
 */
export async function discardUploads(core: Core, accountId: string, uploads: readonly MediaAttachment[]): Promise<void> {
  const deadline = Date.now() + core.config.mediaUploadWaitSeconds * 1000;
  for (const media of uploads) {
    await core.media.awaitMedia(accountId, media.id, Math.max(0, deadline - Date.now())).catch(() => undefined);
    await core.media.deleteMedia(accountId, media.id).catch(() => undefined);
  }
}

/**
 * Streams the form's pictures into storage and applies their descriptions, then waits (bounded) for
 * their processing. Returns the uploads in slot order; throws PictureRefused with what to fix.
 */
export async function receivePictures(request: FastifyRequest, core: Core, accountId: string): Promise<MediaAttachment[]> {
  const uploads: { slot: number; media: MediaAttachment }[] = [];
  try {
    for await (const part of remainingParts(request)) {
      const slot = FILE_FIELD.exec(part.fieldname)?.[1];
      // An input left empty is sent as a part without a name or bytes.
      if (!part.filename && slot !== undefined) {
        part.file.resume();
        continue;
      }
      if (slot === undefined || uploads.length >= MAX_PICTURES) {
        part.file.resume();
        throw new PictureRefused(`A post has at most ${MAX_PICTURES} pictures. ${CHOOSE_AGAIN}`, 'file');
      }
      await core.rateLimits.consumeRateLimit(core.rateLimits.rules.mediaUploadsPerAccount, accountId);
      try {
        uploads.push({ slot: Number(slot), media: await core.media.uploadMedia(accountId, { file: Readable.from(fileBytes(part)) }) });
      } catch (error) {
        part.file.resume();
        if (error instanceof Invalid || error instanceof TooLarge) throw new PictureRefused(`Picture ${slot} (${part.filename}) was refused: ${error.message} ${CHOOSE_AGAIN}`, 'file');
        throw error;
      }
    }
    uploads.sort((a, b) => a.slot - b.slot);
    const body = request.body as FormBody;
    for (const [i, upload] of uploads.entries()) {
      // Beyond the core's 1,500, so the core can say how long it was.
      const description = formField(body, `description_${upload.slot}`, 3_000);
      if (!description) continue;
      try {
        uploads[i] = { ...upload, media: await core.media.updateMedia(accountId, upload.media.id, { description }) };
      } catch (error) {
        if (error instanceof Invalid) throw new PictureRefused(`The description of picture ${upload.slot}: ${error.message} ${CHOOSE_AGAIN}`, 'description');
        throw error;
      }
    }
    // As the API's v2 upload: wait for the processing, but only so long; a post whose pictures are still
    // being processed shows "processing" in their place until they are done.
    const deadline = Date.now() + core.config.mediaUploadWaitSeconds * 1000;
    for (const [i, upload] of uploads.entries()) {
      const media = await core.media.awaitMedia(accountId, upload.media.id, Math.max(0, deadline - Date.now()));
      if (media.state === 'failed') throw new PictureRefused(`Picture ${upload.slot} could not be processed: ${media.failureReason ?? 'it is not a readable image'}. ${CHOOSE_AGAIN}`, 'file');
      uploads[i] = { ...upload, media };
    }
    return uploads.map((u) => u.media);
  } catch (error) {
    await discardUploads(core, accountId, uploads.map((u) => u.media));
    throw error;
  }
}
