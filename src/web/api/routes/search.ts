import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound, type Core, type Post } from '../../../core/index.ts';
import { decodePathPart } from '../../shared/decode-path.ts';
import { optionalScope } from '../authenticate.ts';
import { booleanParam, clampLimit, clampOffset, missingParameter, optionalId, parseBoolean, textParam } from '../params.ts';
import { accountSchema, toMastodonAccount, type MastodonAccount } from '../serializers/account.ts';
import { arr, obj } from '../serializers/schema.ts';
import { statusSchema, toMastodonStatus, type MastodonStatus } from '../serializers/status.ts';
import { tagSchema, toMastodonTag, type MastodonTag } from '../serializers/tag.ts';
import { describe, flag, id, text, whole } from '../docs/describe.ts';

// Search v2 (mastodon-api.md §2): accounts by the start of a username or display name (and `@user`,
// `@user@thishost`), hashtags some post used by the start of their name, posts by their words among
// those the caller has a part in (core posts/search.ts: signed in only, as in Mastodon), and — since
// apps paste links — a local profile, post or tag URL finds exactly that object (Elk finds accounts
// this way). Without federation, `resolve` has nothing to fetch; it is read as a boolean and otherwise
// changes nothing.

const SEARCH_LIMIT = { default: 20, max: 40 };
const TYPES = new Set(['accounts', 'hashtags', 'statuses']);

interface SearchResult {
  accounts: MastodonAccount[];
  statuses: MastodonStatus[];
  hashtags: MastodonTag[];
}

const SEARCH = describe('Search', 'Search accounts, hashtags and statuses, or find the object a local URL names', {
  description: 'Statuses are found by their words (every word must occur) among the user’s own and those they favourited, bookmarked or were mentioned in; signed in only.',
  query: {
    q: text('What to look for: the start of a username, display name or hashtag, `@user`, words of a status, or a URL of this site.'),
    type: text('Only this kind of result.', { enum: ['accounts', 'hashtags', 'statuses'] }),
    limit: whole('How many of each kind (default 20, at most 40).'),
    offset: whole('How many results to skip.'),
    resolve: flag('Accepted; there is nothing remote to fetch'),
    following: flag('Only accounts the user follows'),
    account_id: id('Only statuses of this account.'),
    max_id: id('Only statuses older than this one.'),
    min_id: id('Only statuses newer than this one.'),
  },
  required: ['q'],
});

const searchSchema = obj({ accounts: arr(accountSchema), statuses: arr(statusSchema), hashtags: arr(tagSchema) });

function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** GET /api/v2/search. */
export function registerSearchRoutes(scope: FastifyInstance, core: Core): void {
  const base = core.config.publicUrl;
  const origin = new URL(base).origin;

  /** What a local URL names, found for the viewer; undefined when `q` is no URL of this site. */
  async function byUrl(q: string, viewerId: string | undefined): Promise<SearchResult | undefined> {
    let url: URL;
    try {
      url = new URL(q);
    } catch {
      return undefined;
    }
    if (url.origin !== origin) return undefined;
    const empty: SearchResult = { accounts: [], statuses: [], hashtags: [] };
    const path = decodePathPart(url.pathname.replace(/\/+$/, ''));
    if (path === undefined) return empty;
    const profile = /^\/@([A-Za-z0-9_]{1,30})(?:\/(\d{1,19}))?$/.exec(path);
    const tag = /^\/tags\/([^/]{1,100})$/.exec(path);
    try {
      if (profile?.[2]) {
        const post: Post = await core.posts.getStatus(profile[2], viewerId);
        if (post.account.username !== profile[1]!.toLowerCase()) return empty;
        return { ...empty, statuses: [toMastodonStatus(post, core.config)] };
      }
      if (profile) return { ...empty, accounts: [toMastodonAccount(await core.accounts.getAccountByUsername(profile[1]!), core.config)] };
      if (tag) return { ...empty, hashtags: [toMastodonTag(await core.tags.getTag(tag[1]!), base)] };
    } catch (error) {
      if (error instanceof NotFound) return empty;
      throw error;
    }
    return empty;
  }

  scope.get('/v2/search', { schema: { ...SEARCH, response: { 200: searchSchema } }, preHandler: optionalScope('read:search') }, async (request): Promise<SearchResult> => {
    const q = queryOf(request);
    const text = textParam(q.q, 'q', 2000)?.trim();
    if (!text) throw missingParameter('q');
    const type = textParam(q.type, 'type', 50);
    const only = type && TYPES.has(type) ? type : undefined;
    const limit = clampLimit(q.limit, SEARCH_LIMIT);
    const offset = clampOffset(q.offset);
    parseBoolean(q.resolve, 'resolve');
    const following = booleanParam(q.following, 'following', false);
    const accountId = optionalId(q.account_id, 'account_id');
    const viewerId = request.token?.account?.id;

    const found = await byUrl(text, viewerId);
    if (found) {
      if (accountId) found.statuses = found.statuses.filter((s) => s.account.id === accountId);
      return {
        accounts: !only || only === 'accounts' ? found.accounts : [],
        statuses: !only || only === 'statuses' ? found.statuses : [],
        hashtags: !only || only === 'hashtags' ? found.hashtags : [],
      };
    }
    const wants = (t: string) => !only || only === t;
    const page = { limit, offset, accountId, maxId: optionalId(q.max_id, 'max_id'), sinceId: optionalId(q.since_id, 'since_id'), minId: optionalId(q.min_id, 'min_id') };
    const [accounts, tags, posts] = await Promise.all([
      wants('accounts') ? core.accounts.searchAccounts(viewerId, { q: text, limit, offset, following }) : [],
      // A handle (`@user@host`) or several words is no hashtag.
      wants('hashtags') && !text.startsWith('@') ? core.tags.searchTags(text, { limit, offset }) : [],
      wants('statuses') && viewerId ? core.posts.searchPosts(viewerId, text, page) : [],
    ]);
    return {
      accounts: accounts.map((a) => toMastodonAccount(a, core.config)),
      statuses: posts.map((p) => toMastodonStatus(p, core.config)),
      hashtags: tags.map((t) => toMastodonTag(t, base)),
    };
  });
}
