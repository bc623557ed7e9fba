import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid, NotFound, isId, type Core, type Post } from '../../../core/index.ts';
import { optionalScope, requireScope } from '../authenticate.ts';
import { listParam, requireId } from '../params.ts';
import { deletedStatusSchema, statusListSchema, statusSchema, toMastodonDeletedStatus, toMastodonStatus } from '../serializers/status.ts';
import { arr, obj, str } from '../serializers/schema.ts';
import { bodyParams, readEditParams, readStatusParams } from './status-params.ts';
import { statusEditListSchema, toMastodonStatusEdit } from '../serializers/status-edit.ts';
import { describe, flag, ID_PARAM, id, list, text } from '../docs/describe.ts';

// Posting, reading, and deleting statuses (mastodon-api.md §2 Statuses). Reading is public (with a
// token, it must hold read:statuses, and the viewer's flags and private posts follow it); an invisible
// or unknown id is Mastodon's 404 `Record not found`, whatever its shape.

const IDEMPOTENCY_HEADER = 'idempotency-key';
/** `GET /api/v1/statuses?id[]=…` answers at most this many (Mastodon's limit too). */
const MAX_STATUS_IDS = 20;

/** The user a request acts for, or undefined (no token, or an app token): the viewer of what it reads. */
export function viewerId(request: FastifyRequest): string | undefined {
  return request.token?.account?.id;
}

/** The user of a route guarded by `requireScope(…, { user: true })`. */
export function actorId(request: FastifyRequest): string {
  return request.token!.account!.id;
}

const contextSchema = obj({ ancestors: arr(statusSchema), descendants: arr(statusSchema) });
const sourceSchema = obj({ id: str, text: str, spoiler_text: str });
const STATUS_ID = ID_PARAM('status');

const CREATE = describe('Statuses', 'Post a status', {
  description: 'With an `Idempotency-Key` header, sending the same request again returns the first status instead of posting twice.',
  body: {
    status: text('The text: mentions (@user), hashtags and links are found in it.'),
    visibility: text('Who may see it (default: the user’s preference).', { enum: ['public', 'unlisted', 'private', 'direct'] }),
    in_reply_to_id: id('The status this replies to.'),
    spoiler_text: text('A content warning shown before the text.'),
    sensitive: flag('Whether the status is sensitive'),
    language: text('ISO 639-1 language code.'),
    media_ids: list('Uploads to attach, in order (≤ 4, yours, ready).'),
    poll: { type: 'object', description: 'Not supported: refused when sent.' },
    scheduled_at: text('Not supported: refused when sent.'),
  },
  headers: { 'idempotency-key': text('Any text that identifies this post attempt (kept for an hour).') },
});

const EDIT = describe('Statuses', 'Edit the user’s status', {
  params: STATUS_ID,
  description: 'Fields left out keep their value; who may see the status cannot change. The answer has `edited_at` set.',
  body: {
    status: text('The new text.'),
    spoiler_text: text('The new content warning (empty removes it).'),
    sensitive: flag('Whether the status is sensitive'),
    language: text('ISO 639-1 language code.'),
    visibility: text('Must be the status’s own visibility if sent.', { enum: ['public', 'unlisted', 'private', 'direct'] }),
    media_ids: list('The attachments after the edit, in order (≤ 4: kept ones and new ready uploads of yours); left out, they stay. Removed ones are unattached and cleaned up.'),
    media_attributes: list('Changes to attachments of the edited status: objects of `id`, `description` (alt text) and `focus` ("x,y").', { type: 'object' }),
  },
});

/** POST/GET/PUT/DELETE /api/v1/statuses[/:id], /context, /source and /history; GET /api/v1/statuses?id[]=. */
export function registerStatusRoutes(scope: FastifyInstance, core: Core): void {

  scope.post('/v1/statuses', { preHandler: requireScope('write:statuses', { user: true }), schema: { ...CREATE, response: { 200: statusSchema } } }, async (request) => {
    const p = readStatusParams(bodyParams(request));
    const input = { text: p.text, visibility: p.visibility, inReplyToId: p.inReplyToId, spoilerText: p.spoilerText, sensitive: p.sensitive, language: p.language, applicationId: request.token!.app.id, mediaIds: p.mediaIds };
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (Array.isArray(key)) throw new Invalid('Send one Idempotency-Key.', 'Idempotency-Key');
    const post = key ? await core.posts.createPostOnce(actorId(request), key, input) : await core.posts.createPost(actorId(request), input);
    return toMastodonStatus(post, core.config);
  });

  // Several statuses by id, in the order asked; unknown, malformed and invisible ids are left out (Mastodon).
  const several = describe('Statuses', 'Several statuses by id', { query: { 'id[]': list(`Status ids, at most ${MAX_STATUS_IDS}; unknown and invisible ones are left out.`) } });
  scope.get('/v1/statuses', { preHandler: optionalScope('read:statuses'), schema: { ...several, response: { 200: statusListSchema } } }, async (request) => {
    const ids = listParam((request.query as Record<string, unknown> | undefined)?.id, 'id', MAX_STATUS_IDS);
    const found: Post[] = [];
    for (const id of new Set(ids)) {
      if (!isId(id)) continue;
      try {
        found.push(await core.posts.getStatus(id, viewerId(request)));
      } catch (error) {
        if (!(error instanceof NotFound)) throw error;
      }
    }
    return found.map((p) => toMastodonStatus(p, core.config));
  });

  scope.get<{ Params: { id: string } }>('/v1/statuses/:id', { preHandler: optionalScope('read:statuses'), schema: { ...describe('Statuses', 'A status', { params: STATUS_ID }), response: { 200: statusSchema } } }, async (request) => {
    return toMastodonStatus(await core.posts.getStatus(requireId(request.params.id), viewerId(request)), core.config);
  });

  scope.get<{ Params: { id: string } }>('/v1/statuses/:id/context', { preHandler: optionalScope('read:statuses'), schema: { ...describe('Statuses', 'The thread around a status: its ancestors and replies', { params: STATUS_ID }), response: { 200: contextSchema } } }, async (request) => {
    const thread = await core.posts.postContext(viewerId(request), requireId(request.params.id));
    return { ancestors: thread.ancestors.map((p) => toMastodonStatus(p, core.config)), descendants: thread.descendants.map((p) => toMastodonStatus(p, core.config)) };
  });

  scope.get<{ Params: { id: string } }>('/v1/statuses/:id/source', { preHandler: requireScope('read:statuses', { user: true }), schema: { ...describe('Statuses', 'The plain text of the user’s own status, for editing', { params: STATUS_ID }), response: { 200: sourceSchema } } }, async (request) => {
    const post = await core.posts.getPost(requireId(request.params.id), actorId(request));
    return { id: post.id, text: post.text, spoiler_text: post.spoilerText };
  });

  // Editing: only the author's own posts; anyone else's is 404 as Mastodon finds the post among the caller's.
  scope.put<{ Params: { id: string } }>('/v1/statuses/:id', { preHandler: requireScope('write:statuses', { user: true }), schema: { ...EDIT, response: { 200: statusSchema } } }, async (request) => {
    const id = requireId(request.params.id);
    const p = readEditParams(bodyParams(request));
    const post = await core.posts.editPost(actorId(request), id, {
      text: p.text,
      visibility: p.visibility,
      spoilerText: p.spoilerText,
      sensitive: p.sensitive,
      language: p.language,
      mediaIds: p.mediaIds,
      mediaAttributes: p.mediaAttributes,
    });
    return toMastodonStatus(post, core.config);
  });

  // Every version, oldest first, for whoever may see the post (an unedited post has one: itself).
  scope.get<{ Params: { id: string } }>('/v1/statuses/:id/history', { preHandler: optionalScope('read:statuses'), schema: { ...describe('Statuses', 'Every version of a status, oldest first', { params: STATUS_ID }), response: { 200: statusEditListSchema } } }, async (request) => {
    const revisions = await core.posts.postHistory(requireId(request.params.id), viewerId(request));
    return revisions.map((r) => toMastodonStatusEdit(r, core.config));
  });

  // Deleting the id of one's own boost takes the boost back (Mastodon finds reblogs here too and removes
  // them); the answer is then the boost as it was, whose text is ''.
  scope.delete<{ Params: { id: string } }>('/v1/statuses/:id', { preHandler: requireScope('write:statuses', { user: true }), schema: { ...describe('Statuses', 'Delete the user’s status (or take back a boost)', { params: STATUS_ID, description: 'Answers the status with its source `text`, for “delete and redraft”.' }), response: { 200: deletedStatusSchema } } }, async (request) => {
    const id = requireId(request.params.id);
    const me = actorId(request);
    const status = await core.posts.getStatus(id, me);
    if (status.reblog && status.account.id === me) {
      await core.interactions.unreblog(me, status.reblog.id);
      return toMastodonDeletedStatus({ ...status, reblogged: false, reblog: { ...status.reblog, reblogged: false, reblogsCount: Math.max(0, status.reblog.reblogsCount - 1) } }, core.config);
    }
    return toMastodonDeletedStatus(await core.posts.deletePost(me, id), core.config);
  });
}
