import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Invalid, type Core, type MediaAttachment, type SiteUrls } from '../../../core/index.ts';
import { fromClient } from '../../shared/client-body.ts';
import { requireScope } from '../authenticate.ts';
import { sendApiError } from '../errors.ts';
import { requireId } from '../params.ts';
import { mediaAttachmentSchema, toMastodonMediaAttachment } from '../serializers/media-attachment.ts';
import { anyObject } from '../serializers/schema.ts';
import { actorId } from './statuses.ts';
import { bodyParams, optionalText } from './status-params.ts';

// Uploads (mastodon-api.md §2 Media), owner-only, scope write:media: images, videos (and animated GIFs,
// served as gifv) and audio. The file is streamed from the
// multipart body into storage as it arrives (the core counts it: one past the limit is a 413 before it is
// all read) and its processing runs on the job queue. The upload's answer waits for that processing, but
// only so long: an image is normally done well within the wait and answered 200 with its URLs, as
// clients expect of images; if the workers are busy it is answered 202 with `url: null`, and the client
// polls GET /api/v1/media/:id, as masto.js always does after a v2 upload. Waiting here rather than
// processing in the web process keeps image work on the workers, where `pipit worker` can scale it.

/** The multipart parts that are read besides the file (Mastodon's `thumbnail`, a custom poster for video, is ignored: the poster is taken from the video). */
const TEXT_FIELDS = new Set(['description', 'focus']);

const WRITE_MEDIA = requireScope('write:media', { user: true });

interface UploadParts {
  media: MediaAttachment;
}

const INTERRUPTED = 'The upload was interrupted before the whole file arrived: send it again.';

/**
 * Reads the multipart body: text fields before the file are checked and stored with the upload; ones after
 * it are applied once it is stored (undone if they are refused, so a refusal leaves nothing behind).
 */
async function receiveUpload(request: FastifyRequest, core: Core): Promise<UploadParts> {
  if (!request.isMultipart()) throw new Invalid('Send the file as multipart/form-data, in a part named "file".', 'file');
  const me = actorId(request);
  // Counted before a byte of the file is read (a 429 past it, with Retry-After).
  await core.rateLimits.consumeRateLimit(core.rateLimits.rules.mediaUploadsPerAccount, me);
  const fields: Record<string, string> = {};
  let media: MediaAttachment | undefined;
  const parts = request.parts({ limits: { fileSize: Math.max(core.config.mediaMaxImageBytes, core.config.mediaMaxVideoBytes) + 1, files: 1, fields: 10, fieldSize: 8 * 1024 } });
  for await (const part of fromClient(parts, INTERRUPTED)) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || media) {
        part.file.resume();
        throw new Invalid(`Send one file, in the part named "file" (not "${part.fieldname}").`, 'file');
      }
      try {
        media = await core.media.uploadMedia(me, { file: Readable.from(fromClient<Buffer>(part.file, INTERRUPTED)), description: fields.description, focus: fields.focus });
      } catch (error) {
        // Refused before the file was read (a bad description): the rest of it is drained, not answered into.
        part.file.resume();
        throw error;
      }
      continue;
    }
    if (!TEXT_FIELDS.has(part.fieldname)) continue;
    const value = typeof part.value === 'string' ? part.value : String(part.value ?? '');
    if (media) {
      try {
        media = await core.media.updateMedia(me, media.id, part.fieldname === 'description' ? { description: value } : part.fieldname === 'focus' ? { focus: value } : {});
      } catch (error) {
        await core.media.deleteMedia(me, media.id);
        throw error;
      }
    } else fields[part.fieldname] = value;
  }
  if (!media) throw new Invalid('The file is missing: send it in a multipart part named "file".', 'file');
  return { media };
}

/** A failed attachment is a 422 with its reason (Mastodon's answer), else the entity with `status`. */
function answer(reply: FastifyReply, media: MediaAttachment, site: SiteUrls, whileProcessing: number) {
  if (media.state === 'failed') return sendApiError(reply, 422, media.failureReason ?? 'This file could not be processed.');
  return reply.code(media.state === 'ready' ? 200 : whileProcessing).send(toMastodonMediaAttachment(media, site));
}

const entityResponses = { 200: mediaAttachmentSchema, 202: mediaAttachmentSchema, 206: mediaAttachmentSchema };

/** What the API description says of a media route (spread into its schema: summary and group). */
const docs = (summary: string) => ({ summary, tags: ['Statuses'] });

/** POST /api/v2/media and /api/v1/media, GET/PUT/DELETE /api/v1/media/:id. */
export function registerMediaRoutes(scope: FastifyInstance, core: Core): void {
  const site = core.config;
  // How long an upload's answer waits for its processing (v2: then 202; v1: then 200 with url null).
  const UPLOAD_WAIT_MS = core.config.mediaUploadWaitSeconds * 1000;
  const upload = (summary: string) => ({ preHandler: WRITE_MEDIA, config: { fileUpload: true }, schema: { ...docs(summary), response: entityResponses } });

  scope.post('/v2/media', upload('Upload a picture, video or audio file (multipart file, description, focus); an image 200 when processed within the wait, else 202; video and audio 202 at once'), async (request, reply) => {
    const { media } = await receiveUpload(request, core);
    // Video and audio take longer than any client waits on one request: answered at once, as Mastodon
    // does (202, `url: null`); the client polls GET /api/v1/media/:id until `url` is set.
    if (media.type === 'video' || media.type === 'audio') return answer(reply, media, site, 202);
    return answer(reply, await core.media.awaitMedia(actorId(request), media.id, UPLOAD_WAIT_MS), site, 202);
  });

  // The old endpoint was synchronous: it answers 200 even if the wait ran out (url null; clients poll).
  scope.post('/v1/media', upload('Upload a picture, for older clients (answered 200)'), async (request, reply) => {
    const { media } = await receiveUpload(request, core);
    return answer(reply, await core.media.awaitMedia(actorId(request), media.id, UPLOAD_WAIT_MS), site, 200);
  });

  scope.get<{ Params: { id: string } }>('/v1/media/:id', { preHandler: WRITE_MEDIA, schema: { ...docs('One of your uploads: 206 while processing, 200 when ready, 422 if it failed'), response: entityResponses } }, async (request, reply) => {
    return answer(reply, await core.media.getMedia(actorId(request), requireId(request.params.id)), site, 206);
  });

  scope.put<{ Params: { id: string } }>('/v1/media/:id', { preHandler: WRITE_MEDIA, schema: { ...docs('Change the description or focal point of an unattached upload'), response: entityResponses } }, async (request, reply) => {
    const params = bodyParams(request);
    const changes = { description: optionalText(params.description, 'description') ?? (params.description === '' ? '' : undefined), focus: optionalText(params.focus, 'focus') };
    return answer(reply, await core.media.updateMedia(actorId(request), requireId(request.params.id), changes), site, 206);
  });

  scope.delete<{ Params: { id: string } }>('/v1/media/:id', { preHandler: WRITE_MEDIA, schema: { ...docs('Delete an unattached upload and its files'), response: { 200: anyObject } } }, async (request) => {
    await core.media.deleteMedia(actorId(request), requireId(request.params.id));
    return {};
  });
}
