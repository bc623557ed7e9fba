import type { FastifyInstance } from 'fastify';
import { NotFound, postPath, type Account, type Core } from '../../../core/index.ts';
import { aboutPage, homePage, PAGE_SIZE, postPage, profilePage, tagPage } from '../views/pages.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { readDraft } from '../compose-draft.ts';
import { boundsOf, pagingSchema, readPageOf, type PagingQuery } from './paging.ts';

/** The public pages: timeline, profiles, single posts, tags. Readable without logging in. */
export function registerPages(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: PagingQuery }>('/', { schema: pagingSchema }, async (request, reply) => {
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, (bounds, limit) => core.posts.publicTimeline({ ...bounds, limit }));
    const page = pageContext(request, reply);
    // A post the form rejected comes back here (post/redirect/get) with its text and the message.
    const draft = request.account ? readDraft(request, core.config.secureCookies, request.account.id) : undefined;
    return sendPage(reply, homePage(page, list, { maxLength: core.config.maxPostLength, ...draft }));
  });

  app.get<{ Params: { username: string }; Querystring: PagingQuery & { deleted?: string } }>('/@:username', { schema: pagingSchema }, async (request, reply) => {
    let account: Account | undefined;
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, async (bounds, limit) => {
      const found = await core.posts.profile(request.params.username, request.account?.id, { ...bounds, limit });
      account = found.account;
      return found.posts;
    });
    // "Deleted" is said only to the author, on their own profile, right after the delete redirected here.
    const deleted = request.query.deleted === '1' && request.account?.id === account!.id;
    return sendPage(reply, profilePage(pageContext(request, reply), account!, list, { deleted }));
  });

  app.get<{ Params: { username: string; id: string } }>('/@:username/:id', async (request, reply) => {
    const post = await core.posts.getPost(request.params.id, request.account?.id);
    // The canonical address names the author; a wrong name redirects rather than showing a lie.
    if (post.account.username !== request.params.username.toLowerCase()) {
      return reply.redirect(postPath(post.account.username, post.id), 301);
    }
    return sendPage(reply, postPage(pageContext(request, reply), post));
  });

  app.get<{ Params: { tag: string }; Querystring: PagingQuery }>('/tags/:tag', { schema: pagingSchema }, async (request, reply) => {
    const tag = request.params.tag.slice(0, 100);
    // `/tags/` matches with an empty name: that is no tag at all, so the 404 page, not an empty page titled "#".
    if (tag.trim() === '') throw new NotFound('There is no tag at this address.');
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, (bounds, limit) => core.posts.tagTimeline(tag, { ...bounds, limit }));
    return sendPage(reply, tagPage(pageContext(request, reply), tag.toLowerCase(), list));
  });

  app.get('/about', async (request, reply) => {
    const accounts = await core.accounts.countAccounts();
    return sendPage(reply, aboutPage(pageContext(request, reply), { accounts }));
  });
}
