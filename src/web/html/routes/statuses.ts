import type { FastifyInstance } from 'fastify';
import { Forbidden, Invalid, RAW_FACTOR, profilePath, type Core, type MediaAttachment, type Visibility } from '../../../core/index.ts';
import { deletePostPage, homePage, PAGE_SIZE } from '../views/pages.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { clearDraft, saveDraft } from '../compose-draft.ts';
import { COMPOSE_ERROR_ID } from '../views/compose-form.ts';
import { discardUploads, PictureRefused, receivePictures } from './compose-pictures.ts';
import { formField, safeReturnTo, type FormBody } from './form.ts';
import { requireLogin } from './login.ts';
import { readPageOf } from './paging.ts';
import { composeState } from './pages.ts';

/** Writing and deleting posts from the website. Both go through the same core use cases as the API. */
export function registerStatusForms(app: FastifyInstance, core: Core): void {
  const csrf = { preHandler: app.csrfProtection };
  // The core's raw bound (links count as 23 however long they are); one more character lets it say so.
  const rawLimit = core.config.maxPostLength * RAW_FACTOR;

  // Multipart (with pictures) or urlencoded; the CSRF token is checked before any file is read.
  app.post<{ Body: FormBody }>('/statuses', { ...csrf, config: { formFiles: true } }, async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const viewerId = request.account!.id;
    let media: MediaAttachment[] = [];
    let refusal: Invalid | undefined;
    try {
      media = await receivePictures(request, core, viewerId);
    } catch (error) {
      if (!(error instanceof PictureRefused)) throw error;
      refusal = error;
    }
    // Read after the pictures: a browser may send fields after the files.
    const text = formField(request.body, 'status', rawLimit + 1);
    // Beyond the core's limit (500), so it can say how long the warning was; the select's values are
    // checked by the core, which names the allowed ones.
    const spoilerText = formField(request.body, 'spoiler_text', 1_000);
    const visibility = formField(request.body, 'visibility', 20) || undefined;
    const inReplyToId = formField(request.body, 'in_reply_to_id', 40) || undefined;
    // A checkbox: present when ticked. Unticked, the core decides (a content warning makes it sensitive).
    const sensitive = formField(request.body, 'sensitive', 10) ? true : undefined;
    // Back to the page the form was on: the timeline, or the post a reply answers (where it now shows).
    const returnTo = safeReturnTo(formField(request.body, 'return_to', 2000) || '/').split('#')[0]!;
    const secure = core.config.secureCookies;
    try {
      if (refusal) throw refusal;
      const mediaIds = media.map((m) => m.id);
      // Its own uploads of this request: a video still being transcoded is attached and shows "processing".
      const post = await core.posts.createPost(viewerId, { text, spoilerText, visibility: visibility as Visibility | undefined, inReplyToId, mediaIds, sensitive, allowProcessingMedia: true });
      request.log.info({ postId: post.id, media: mediaIds.length }, 'post created');
      clearDraft(request, reply, secure);
      return reply.redirect(returnTo, 303);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      await discardUploads(core, viewerId, media);
      request.log.info({ status: 422, reason: error.message }, 'post rejected');
      const message = media.length > 0 && !refusal ? `${error.message} Choose the pictures again.` : error.message;
      const draft = { text, error: message, spoilerText, visibility, inReplyToId, pictures: media.length > 0 || refusal !== undefined };
      // Post/redirect/get: the page shows the message and everything typed, and a reload does not post
      // again. The fragment takes the browser to the message (and tells a script the post was refused).
      if (saveDraft(reply, secure, viewerId, draft)) return reply.redirect(`${returnTo}#${COMPOSE_ERROR_ID}`, 303);
      // Too large for a cookie: re-show the home timeline here, with the message and the text, so nothing is lost
      // (a reply keeps its in_reply_to_id in the form).
      const list = await readPageOf({}, PAGE_SIZE, (bounds, limit) => core.posts.homeTimeline(viewerId, { ...bounds, limit }));
      const page = { ...pageContext(request, reply), path: '/' };
      return sendPage(reply, homePage(page, list, { ...composeState(core, draft), inReplyToId }, 'home'), 422);
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
