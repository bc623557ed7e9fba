import type { FastifyInstance } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { collectionPage } from '../views/collection-pages.ts';
import { PAGE_SIZE } from '../views/pages.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { formField, safeReturnTo, type FormBody } from './form.ts';
import { refererPath, requireLogin } from './login.ts';
import { boundsOf, pagingSchema, readPageOf, type PagingQuery } from './paging.ts';

// The buttons under posts and on profiles. Each is a form posting here with its CSRF token and the
// page it was on (`return_to`, a local path only: form.ts); the answer is a 303 back there, to the card's
// anchor, so a reload never repeats the action. Every action is idempotent in the core, so a double
// click (or a stale page whose button says Favourite after it was pressed elsewhere) does no harm.

const TOGGLES = ['favourite', 'unfavourite', 'reblog', 'unreblog', 'bookmark', 'unbookmark'] as const;
type Toggle = (typeof TOGGLES)[number];

const idParams = { params: { type: 'object', properties: { id: { type: 'string', maxLength: 40 } } } } as const;

/** Favourite, boost, bookmark (and undo), follow and unfollow; the bookmarks and favourites pages. */
export function registerInteractions(app: FastifyInstance, core: Core): void {
  const csrf = { preHandler: app.csrfProtection, schema: idParams };
  const returnTo = (body: FormBody, referer: string | undefined) => safeReturnTo(formField(body, 'return_to', 2000) || refererPath(referer));
  const act: Record<Toggle, (actorId: string, postId: string) => Promise<unknown>> = {
    favourite: core.interactions.favourite,
    unfavourite: core.interactions.unfavourite,
    reblog: (actorId, postId) => core.interactions.reblog(actorId, postId),
    unreblog: core.interactions.unreblog,
    bookmark: core.interactions.bookmark,
    unbookmark: core.interactions.unbookmark,
  };

  for (const toggle of TOGGLES) {
    app.post<{ Params: { id: string }; Body: FormBody }>(`/statuses/:id/${toggle}`, csrf, async (request, reply) => {
      const back = returnTo(request.body, request.headers.referer);
      if (!requireLogin(request, reply, back)) return reply;
      await act[toggle](request.account!.id, request.params.id);
      request.log.info({ postId: request.params.id, action: toggle }, 'post interaction');
      return reply.redirect(back, 303);
    });
  }

  for (const action of ['follow', 'unfollow'] as const) {
    app.post<{ Params: { id: string }; Body: FormBody }>(`/accounts/:id/${action}`, csrf, async (request, reply) => {
      const back = returnTo(request.body, request.headers.referer);
      if (!requireLogin(request, reply, back)) return reply;
      await core.follows[action](request.account!.id, request.params.id);
      request.log.info({ accountId: request.params.id, action }, 'follow changed');
      return reply.redirect(back, 303);
    });
  }

  app.get<{ Querystring: PagingQuery }>('/bookmarks', { schema: pagingSchema }, async (request, reply) => {
    if (!requireLogin(request, reply, '/bookmarks')) return reply;
    const viewerId = request.account!.id;
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, async (bounds, limit) =>
      (await core.interactions.bookmarksOf(viewerId, { ...bounds, limit })).map((e) => ({ id: e.pageId, post: e.post })),
    );
    return sendPage(reply, collectionPage(pageContext(request, reply), 'bookmarks', list));
  });

  app.get<{ Querystring: PagingQuery }>('/favourites', { schema: pagingSchema }, async (request, reply) => {
    if (!requireLogin(request, reply, '/favourites')) return reply;
    const viewerId = request.account!.id;
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, async (bounds, limit) =>
      (await core.interactions.favouritesOf(viewerId, { ...bounds, limit })).map((e) => ({ id: e.pageId, post: e.post })),
    );
    return sendPage(reply, collectionPage(pageContext(request, reply), 'favourites', list));
  });
}
