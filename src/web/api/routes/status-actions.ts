import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid, type AccountEntry, type Core, type Post } from '../../../core/index.ts';
import { optionalScope, requireScope } from '../authenticate.ts';
import { setPageLinks } from '../paging.ts';
import { PAGE_LIMITS, readPaging, requireId } from '../params.ts';
import { accountSchema, toMastodonAccount } from '../serializers/account.ts';
import { arr } from '../serializers/schema.ts';
import { statusSchema, toMastodonStatus } from '../serializers/status.ts';
import { bodyParams, optionalText } from './status-params.ts';
import { actorId, viewerId } from './statuses.ts';
import { describe, ID_PARAM, paging, text } from '../docs/describe.ts';

const STATUS_ID = ID_PARAM('status');

// What a user does to a status (favourite, boost, bookmark and their undoing, all idempotent as on
// Mastodon) and who did it (favourited_by, reblogged_by, paged by the favourite's or boost's own row id,
// which only appears in `Link`). Pinning and muting conversations do not exist in Pipit: pin is refused
// with a 422 saying so; mute/unmute answer the status unchanged (`muted` stays false; README).

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
type Action = (actor: string, postId: string, request: IdRequest) => Promise<Post>;

/** POST /api/v1/statuses/:id/{favourite,…}, GET /:id/favourited_by and /reblogged_by. */
export function registerStatusActionRoutes(scope: FastifyInstance, core: Core): void {
  const publicUrl = core.config.publicUrl;

  const action = (path: string, scopeName: string, summary: string, run: Action, body?: Record<string, Record<string, unknown>>) => {
    const schema = { ...describe('Statuses', summary, { params: STATUS_ID, ...(body ? { body } : {}) }), response: { 200: statusSchema } };
    scope.post<{ Params: { id: string } }>(`/v1/statuses/:id/${path}`, { preHandler: requireScope(scopeName, { user: true }), schema }, async (request) => {
      return toMastodonStatus(await run(actorId(request), requireId(request.params.id), request), core.config);
    });
  };

  action('favourite', 'write:favourites', 'Favourite a status', (me, id) => core.interactions.favourite(me, id));
  action('unfavourite', 'write:favourites', 'Take back a favourite', (me, id) => core.interactions.unfavourite(me, id));
  action('bookmark', 'write:bookmarks', 'Bookmark a status', (me, id) => core.interactions.bookmark(me, id));
  action('unbookmark', 'write:bookmarks', 'Remove a bookmark', (me, id) => core.interactions.unbookmark(me, id));
  // The wrapper, with the original in `reblog`; unreblog answers the original.
  action(
    'reblog',
    'write:statuses',
    'Boost a status (answers the boost, with the status in `reblog`)',
    (me, id, request) => {
      const visibility = optionalText(bodyParams(request).visibility, 'visibility');
      return core.interactions.reblog(me, id, { visibility: visibility as 'public' | 'unlisted' | undefined });
    },
    { visibility: text('Who sees the boost (default public).', { enum: ['public', 'unlisted'] }) },
  );
  action('unreblog', 'write:statuses', 'Take back a boost (answers the status)', (me, id) => core.interactions.unreblog(me, id));
  action('pin', 'write:accounts', 'Pin a status to the profile: not supported (422)', async (me, id) => {
    await core.posts.getStatus(id, me); // an invisible post is still a 404
    throw new Invalid('pinning is not supported.', 'id');
  });
  action('unpin', 'write:accounts', 'Unpin a status (nothing is ever pinned: answers the status)', (me, id) => core.posts.getStatus(id, me));
  action('mute', 'write:mutes', 'Mute a conversation (not built: answers the status unchanged)', (me, id) => core.posts.getStatus(id, me));
  action('unmute', 'write:mutes', 'Unmute a conversation (answers the status unchanged)', (me, id) => core.posts.getStatus(id, me));

  const accountList = (path: string, summary: string, list: (viewer: string | undefined, id: string, request: IdRequest) => Promise<AccountEntry[]>) => {
    const schema = { ...describe('Statuses', summary, { params: STATUS_ID, query: paging(PAGE_LIMITS.accounts) }), response: { 200: arr(accountSchema) } };
    scope.get<{ Params: { id: string } }>(`/v1/statuses/:id/${path}`, { preHandler: optionalScope('read:accounts'), schema }, async (request, reply) => {
      const entries = await list(viewerId(request), requireId(request.params.id), request);
      setPageLinks(request, reply, publicUrl, entries, (e) => e.pageId);
      return entries.map((e) => toMastodonAccount(e.account, core.config));
    });
  };
  accountList('favourited_by', 'Who favourited a status', (viewer, id, request) => core.interactions.favouritedBy(viewer, id, readPaging(request.query as Record<string, unknown>, PAGE_LIMITS.accounts)));
  accountList('reblogged_by', 'Who boosted a status', (viewer, id, request) => core.interactions.rebloggedBy(viewer, id, readPaging(request.query as Record<string, unknown>, PAGE_LIMITS.accounts)));
}
