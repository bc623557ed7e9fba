import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden, Invalid, RAW_FACTOR, profilePath, type Core } from '../../../core/index.ts';
import { deletePostPage, homePage, PAGE_SIZE } from '../views/pages.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { clearDraft, saveDraft } from '../compose-draft.ts';
import { COMPOSE_ERROR_ID } from '../views/components.ts';
import { formField, type FormBody } from './form.ts';
import { readPageOf } from './paging.ts';

/** The path of the page the form was on, or `/`. */
function refererPath(referer: string | undefined): string {
  // The Referer is whatever the client sends: `new URL` throws on a malformed one ("http://["),
  // which made this redirect a 500. Such a header just means "no page to come back to".
  if (!referer || !URL.canParse(referer, 'http://x')) return '/';
  return new URL(referer, 'http://x').pathname;
}

/** Sends a logged-out visitor to the login page, coming back here afterwards. */
function requireLogin(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.account) return true;
  void reply.redirect(`/auth/sign_in?return_to=${encodeURIComponent(refererPath(request.headers.referer))}`, 303);
  return false;
}

/** Writing and deleting posts from the website. Both go through the same core use cases as the API. */
export function registerStatusForms(app: FastifyInstance, core: Core): void {
  const csrf = { preHandler: app.csrfProtection };
  // The core's raw bound (links count as 23 however long they are); one more character lets it say so.
  const rawLimit = core.config.maxPostLength * RAW_FACTOR;

  app.post<{ Body: FormBody }>('/statuses', csrf, async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const text = formField(request.body, 'status', rawLimit + 1);
    const secure = core.config.secureCookies;
    try {
      const post = await core.posts.createPost(request.account!.id, { text });
      request.log.info({ postId: post.id }, 'post created');
      clearDraft(request, reply, secure);
      return reply.redirect('/', 303);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      request.log.info({ status: 422, reason: error.message }, 'post rejected');
      // Post/redirect/get: the home page shows the message and what was typed, and a reload does not post
      // again. The fragment takes the browser to the message (and tells a script the post was refused).
      if (saveDraft(reply, secure, request.account!.id, { text, error: error.message })) return reply.redirect(`/#${COMPOSE_ERROR_ID}`, 303);
      // Too large for a cookie: re-show the timeline here, with the message and the text, so nothing is lost.
      const list = await readPageOf({}, PAGE_SIZE, (bounds, limit) => core.posts.publicTimeline({ ...bounds, limit }));
      const page = pageContext(request, reply);
      return sendPage(reply, homePage(page, list, { maxLength: core.config.maxPostLength, text, error: error.message }), 422);
    }
  });

  const idParams = { params: { type: 'object', properties: { id: { type: 'string', maxLength: 40 } } } } as const;

  // The question first (a page that works without JavaScript), then the POST that deletes.
  app.get<{ Params: { id: string } }>('/statuses/:id/delete', { schema: idParams }, async (request, reply) => {
    if (!request.account) return reply.redirect(`/auth/sign_in?return_to=${encodeURIComponent(`/statuses/${request.params.id}/delete`)}`, 303);
    const post = await core.posts.getPost(request.params.id, request.account.id);
    if (post.account.id !== request.account.id) throw new Forbidden('You can delete only your own posts.');
    return sendPage(reply, deletePostPage(pageContext(request, reply), post));
  });

  app.post<{ Params: { id: string } }>('/statuses/:id/delete', csrf, async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const post = await core.posts.deletePost(request.account!.id, request.params.id);
    request.log.info({ postId: post.id }, 'post deleted');
    return reply.redirect(`${profilePath(post.account.username)}?deleted=1`, 303);
  });
}
