import type { FastifyInstance } from 'fastify';
import { NotFound, type Core } from '../../core/index.ts';
import { aboutPage, homePage, PAGE_SIZE, postPage, profilePage, tagPage } from '../html/pages.ts';
import { pageContext, sendPage } from '../html/page-context.ts';

interface PagingQuery {
  max_id?: string;
}

const pagingSchema = {
  querystring: {
    type: 'object',
    properties: { max_id: { type: 'string', pattern: '^[0-9]{1,19}$' } },
  },
} as const;

/** The public pages: timeline, profiles, single posts, tags. Readable without logging in. */
export function registerPages(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: PagingQuery }>('/', { schema: pagingSchema }, async (request, reply) => {
    const posts = await core.posts.publicTimeline({ maxId: request.query.max_id, limit: PAGE_SIZE });
    const page = pageContext(request, reply);
    return sendPage(reply, homePage(page, posts, { maxLength: core.config.maxPostLength }, { paged: Boolean(request.query.max_id) }));
  });

  app.get<{ Params: { username: string }; Querystring: PagingQuery }>('/@:username', { schema: pagingSchema }, async (request, reply) => {
    const { account, posts } = await core.posts.profile(request.params.username, request.account?.id, {
      maxId: request.query.max_id,
      limit: PAGE_SIZE,
    });
    return sendPage(reply, profilePage(pageContext(request, reply), account, posts));
  });

  app.get<{ Params: { username: string; id: string } }>('/@:username/:id', async (request, reply) => {
    const post = await core.posts.getPost(request.params.id, request.account?.id);
    // The canonical address names the author; a wrong name redirects rather than showing a lie.
    if (post.account.username !== request.params.username.toLowerCase()) {
      return reply.redirect(`/@${post.account.username}/${post.id}`, 301);
    }
    return sendPage(reply, postPage(pageContext(request, reply), post));
  });

  app.get<{ Params: { tag: string }; Querystring: PagingQuery }>('/tags/:tag', { schema: pagingSchema }, async (request, reply) => {
    const tag = request.params.tag.slice(0, 100);
    // `/tags/` matches with an empty name: that is no tag at all, so the 404 page, not an empty page titled "#".
    if (tag.trim() === '') throw new NotFound('There is no tag at this address.');
    const posts = await core.posts.tagTimeline(tag, { maxId: request.query.max_id, limit: PAGE_SIZE });
    return sendPage(reply, tagPage(pageContext(request, reply), tag.toLowerCase(), posts));
  });

  app.get('/about', async (request, reply) => {
    const accounts = await core.accounts.countAccounts();
    return sendPage(reply, aboutPage(pageContext(request, reply), { accounts }));
  });
}
