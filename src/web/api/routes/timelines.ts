import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Core, type Post, type PostEntry } from '../../../core/index.ts';
import { optionalScope, requireScope } from '../authenticate.ts';
import { setPageLinks } from '../paging.ts';
import { PAGE_LIMITS, parseBoolean, readPaging, requireId, listParam } from '../params.ts';
import { statusListSchema, toMastodonStatus, type AccountEntities } from '../serializers/status.ts';
import { PLAIN_JSON } from '../serializers/plain-json.ts';
import { optionalText } from './status-params.ts';
import { actorId, viewerId } from './statuses.ts';
import { describe, flag, ID_PARAM, list, paging, text } from '../docs/describe.ts';

// Lists of statuses, newest first, paged by max_id/since_id/min_id with `Link` (mastodon-api.md §2
// Timelines): home, public, tag, an account's statuses, and the user's bookmarks and favourites (these
// two page by the bookmark's or favourite's own row id, as Mastodon does). Every account is local, so
// `local` changes nothing and `remote` lists nothing; `only_media` keeps the posts with attachments.

type Query = Record<string, unknown>;

const MAX_TAGS = 20;

function queryOf(request: FastifyRequest): Query {
  return (request.query as Query | undefined) ?? {};
}

/** GET /api/v1/timelines/{home,public,tag/:hashtag}, /api/v1/accounts/:id/statuses, /bookmarks, /favourites. */
export function registerTimelineRoutes(scope: FastifyInstance, core: Core): void {
  const publicUrl = core.config.publicUrl;
  const response = { 200: statusListSchema };
  const pageQuery = paging(PAGE_LIMITS.statuses);
  const where = {
    local: flag('Only local statuses (every status is local: changes nothing)'),
    remote: flag('Only remote statuses (there are none: an empty list)'),
    only_media: flag('Only statuses with media (there are none yet: an empty list)'),
  };
  const timeline = (summary: string, p: Parameters<typeof describe>[2] = {}) => ({ ...describe('Timelines', summary, { ...p, query: { ...pageQuery, ...p.query } }), response });

  const page = (request: FastifyRequest, reply: Parameters<typeof setPageLinks>[1], posts: Post[]) => {
    setPageLinks(request, reply, publicUrl, posts);
    const accounts: AccountEntities = new Map();
    return posts.map((p) => toMastodonStatus(p, core.config, accounts));
  };
  const entries = (request: FastifyRequest, reply: Parameters<typeof setPageLinks>[1], rows: PostEntry[]) => {
    setPageLinks(request, reply, publicUrl, rows, (e) => e.pageId);
    const accounts: AccountEntities = new Map();
    return rows.map((e) => toMastodonStatus(e.post, core.config, accounts));
  };

  scope.get('/v1/timelines/home', { ...PLAIN_JSON, preHandler: requireScope('read:statuses', { user: true }), schema: timeline('The home timeline: the user’s statuses and those of followed accounts, boosts included') }, async (request, reply) => {
    return page(request, reply, await core.posts.homeTimeline(actorId(request), readPaging(queryOf(request), PAGE_LIMITS.statuses)));
  });

  scope.get('/v1/timelines/public', { ...PLAIN_JSON, preHandler: optionalScope('read:statuses'), schema: timeline('Public statuses of everyone', { query: where }) }, async (request, reply) => {
    const q = queryOf(request);
    const paging = readPaging(q, PAGE_LIMITS.statuses);
    parseBoolean(q.local, 'local');
    if (parseBoolean(q.remote, 'remote')) return [];
    const onlyMedia = parseBoolean(q.only_media, 'only_media');
    return page(request, reply, await core.posts.publicTimeline({ ...paging, onlyMedia }, viewerId(request)));
  });

  // any[] widens the tag, all[] and none[] narrow it (at most 20 each: each is a condition of the query).
  scope.get<{ Params: { hashtag: string } }>('/v1/timelines/tag/:hashtag',
    {
      ...PLAIN_JSON,
      preHandler: optionalScope('read:statuses'),
      schema: timeline('Public statuses with a hashtag', {
        params: { hashtag: text('The hashtag, without #.') },
        query: {
          ...where,
          'any[]': list(`Also statuses with any of these hashtags (at most ${MAX_TAGS}).`),
          'all[]': list(`Only statuses that also have all of these (at most ${MAX_TAGS}).`),
          'none[]': list(`Not statuses with any of these (at most ${MAX_TAGS}).`),
        },
      }),
    },
    async (request, reply) => {
    const q = queryOf(request);
    const paging = readPaging(q, PAGE_LIMITS.statuses);
    parseBoolean(q.local, 'local');
    const tags = { any: listParam(q.any, 'any', MAX_TAGS), all: listParam(q.all, 'all', MAX_TAGS), none: listParam(q.none, 'none', MAX_TAGS) };
    if (parseBoolean(q.remote, 'remote')) return [];
    const onlyMedia = parseBoolean(q.only_media, 'only_media');
    return page(request, reply, await core.posts.tagTimeline(request.params.hashtag, { ...paging, ...tags, onlyMedia }, viewerId(request)));
  });

  scope.get<{ Params: { id: string } }>('/v1/accounts/:id/statuses',
    {
      ...PLAIN_JSON,
      preHandler: optionalScope('read:statuses'),
      schema: timeline('An account’s statuses that the caller may see', {
        params: ID_PARAM('account'),
        query: {
          exclude_replies: flag('Leave out replies (to others)'),
          exclude_reblogs: flag('Leave out boosts'),
          only_media: flag('Only statuses with media (none yet)'),
          pinned: flag('Only pinned statuses (none: pinning does not exist)'),
          tagged: text('Only statuses with this hashtag.'),
        },
      }),
    },
    async (request, reply) => {
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

  scope.get('/v1/bookmarks', { ...PLAIN_JSON, preHandler: requireScope('read:bookmarks', { user: true }), schema: timeline('The user’s bookmarks, newest bookmark first') }, async (request, reply) => {
    return entries(request, reply, await core.interactions.bookmarksOf(actorId(request), readPaging(queryOf(request), PAGE_LIMITS.statuses)));
  });

  scope.get('/v1/favourites', { ...PLAIN_JSON, preHandler: requireScope('read:favourites', { user: true }), schema: timeline('The statuses the user favourited, newest favourite first') }, async (request, reply) => {
    return entries(request, reply, await core.interactions.favouritesOf(actorId(request), readPaging(queryOf(request), PAGE_LIMITS.statuses)));
  });
}
