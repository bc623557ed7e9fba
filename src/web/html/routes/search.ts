import type { FastifyInstance } from 'fastify';
import { clientSubject, type Core } from '../../../core/index.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { SEARCH_QUERY_MAX, searchPage } from '../views/search-page.ts';

const RESULTS = 20;

/** `GET /search?q=`: people, hashtags and (logged in) posts. Readable without logging in; searches count per address. */
export function registerSearch(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: { q?: string | string[] } }>(
    '/search',
    async (request, reply) => {
      // A search box's text: a repeated `q` (a hand-made address) counts once, and past the box's own
      // limit the text is cut, as the box itself would have cut it.
      const raw = request.query.q;
      const q = String((Array.isArray(raw) ? raw[0] : raw) ?? '').trim().slice(0, SEARCH_QUERY_MAX);
      if (q === '') return sendPage(reply, searchPage(pageContext(request, reply), undefined));
      await core.rateLimits.consumeRateLimit(core.rateLimits.rules.searchPagesPerIp, clientSubject(request.ip));
      const viewerId = request.account?.id;
      const [accounts, tags, posts] = await Promise.all([
        q.startsWith('#') ? [] : core.accounts.searchAccounts(viewerId, { q, limit: RESULTS }),
        q.startsWith('@') ? [] : core.tags.searchTags(q, { limit: RESULTS }),
        viewerId ? core.posts.searchPosts(viewerId, q, { limit: RESULTS }) : [],
      ]);
      return sendPage(reply, searchPage(pageContext(request, reply), { q, accounts, tags, posts }));
    },
  );
}
