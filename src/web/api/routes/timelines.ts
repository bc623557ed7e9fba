import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Core, type Post, type PostEntry } from '../../../core/index.ts';
import { optionalScope, requireScope } from '../authenticate.ts';
import { setPageLinks } from '../paging.ts';
import { PAGE_LIMITS, parseBoolean, readPaging, requireId, listParam } from '../params.ts';
import { statusListSchema, toMastodonStatus } from '../serializers/status.ts';
import { optionalText } from './status-params.ts';
import { actorId, viewerId } from './statuses.ts';

// Lists of statuses, newest first, paged by max_id/since_id/min_id with `Link` (mastodon-api.md §2
// Timelines): home, public, tag, an account's statuses, and the user's bookmarks and favourites (these
// two page by the bookmark's or favourite's own row id, as Mastodon does). Every account is local, so
// `local` changes nothing and `remote` lists nothing; nothing has media yet, so `only_media` lists nothing.

type Query = Record<string, unknown>;

function queryOf(request: FastifyRequest): Query {
  return (request.query as Query | undefined) ?? {};
}

/** GET /api/v1/timelines/{home,public,tag/:hashtag}, /api/v1/accounts/:id/statuses, /bookmarks, /favourites. */
export function registerTimelineRoutes(scope: FastifyInstance, core: Core): void {
  const publicUrl = core.config.publicUrl;
  const schema = { response: { 200: statusListSchema } };

  const page = (request: FastifyRequest, reply: Parameters<typeof setPageLinks>[1], posts: Post[]) => {
    setPageLinks(request, reply, publicUrl, posts);
    return posts.map((p) => toMastodonStatus(p, publicUrl));
  };
  const entries = (request: FastifyRequest, reply: Parameters<typeof setPageLinks>[1], list: PostEntry[]) => {
    setPageLinks(request, reply, publicUrl, list, (e) => e.pageId);
    return list.map((e) => toMastodonStatus(e.post, publicUrl));
  };

  scope.get('/v1/timelines/home', { preHandler: requireScope('read:statuses', { user: true }), schema }, async (request, reply) => {
    return page(request, reply, await core.posts.homeTimeline(actorId(request), readPaging(queryOf(request), PAGE_LIMITS.statuses)));
  });

  scope.get('/v1/timelines/public', { preHandler: optionalScope('read:statuses'), schema }, async (request, reply) => {
    const q = queryOf(request);
    const paging = readPaging(q, PAGE_LIMITS.statuses);
    parseBoolean(q.local, 'local');
    if (parseBoolean(q.remote, 'remote')) return [];
    const onlyMedia = parseBoolean(q.only_media, 'only_media');
    return page(request, reply, await core.posts.publicTimeline({ ...paging, onlyMedia }, viewerId(request)));
  });

  // any[], all[] and none[] are read (and checked) but not applied yet: the core's tag timeline takes
  // one tag. Asking for none of the very tag shown is answered honestly with nothing.
  scope.get<{ Params: { hashtag: string } }>('/v1/timelines/tag/:hashtag', { preHandler: optionalScope('read:statuses'), schema }, async (request, reply) => {
    const q = queryOf(request);
    const paging = readPaging(q, PAGE_LIMITS.statuses);
    parseBoolean(q.local, 'local');
    listParam(q.any, 'any');
    listParam(q.all, 'all');
    const none = listParam(q.none, 'none').map((t) => t.replace(/^#/, '').toLowerCase());
    if (parseBoolean(q.remote, 'remote') || none.includes(request.params.hashtag.replace(/^#/, '').toLowerCase())) return [];
    const onlyMedia = parseBoolean(q.only_media, 'only_media');
    return page(request, reply, await core.posts.tagTimeline(request.params.hashtag, { ...paging, onlyMedia }, viewerId(request)));
  });

  scope.get<{ Params: { id: string } }>('/v1/accounts/:id/statuses', { preHandler: optionalScope('read:statuses'), schema }, async (request, reply) => {
    const q = queryOf(request);
    const posts = await core.posts.accountStatuses(viewerId(request), requireId(request.params.id), {
      ...readPaging(q, PAGE_LIMITS.statuses),
      excludeReplies: parseBoolean(q.exclude_replies, 'exclude_replies'),
      excludeReblogs: parseBoolean(q.exclude_reblogs, 'exclude_reblogs'),
      onlyMedia: parseBoolean(q.only_media, 'only_media'),
      pinned: parseBoolean(q.pinned, 'pinned'),
      tagged: optionalText(q.tagged, 'tagged'),
    });
    return page(request, reply, posts);
  });

  scope.get('/v1/bookmarks', { preHandler: requireScope('read:bookmarks', { user: true }), schema }, async (request, reply) => {
    return entries(request, reply, await core.interactions.bookmarksOf(actorId(request), readPaging(queryOf(request), PAGE_LIMITS.statuses)));
  });

  scope.get('/v1/favourites', { preHandler: requireScope('read:favourites', { user: true }), schema }, async (request, reply) => {
    return entries(request, reply, await core.interactions.favouritesOf(actorId(request), readPaging(queryOf(request), PAGE_LIMITS.statuses)));
  });
}
