import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Invalid, RAW_FACTOR, type Core } from '../../core/index.ts';
import { homePage, PAGE_SIZE } from '../html/pages.ts';
import { pageContext, sendPage } from '../html/page-context.ts';
import { formField, type FormBody } from './form.ts';

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
    try {
      const post = await core.posts.createPost(request.account!.id, { text });
      request.log.info({ postId: post.id }, 'post created');
      return reply.redirect('/', 303);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      // Re-show the timeline with the message and what the user typed, so nothing is lost.
      const posts = await core.posts.publicTimeline({ limit: PAGE_SIZE });
      const page = pageContext(request, reply);
      return sendPage(reply, homePage(page, posts, { maxLength: core.config.maxPostLength, text, error: error.message }, { paged: false }), 422);
    }
  });

  app.post<{ Params: { id: string } }>('/statuses/:id/delete', csrf, async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const post = await core.posts.deletePost(request.account!.id, request.params.id);
    request.log.info({ postId: post.id }, 'post deleted');
    return reply.redirect(`/@${post.account.username}`, 303);
  });
}
