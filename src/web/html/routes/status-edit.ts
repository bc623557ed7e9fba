import type { FastifyInstance } from 'fastify';
import { DESCRIPTION_MAX, Invalid, NotFound, RAW_FACTOR, postPath, type Core, type Post } from '../../../core/index.ts';
import { editPostPage } from '../views/edit-post-page.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { formField, type FormBody } from './form.ts';
import type { EditPostState } from '../views/edit-post-page.ts';
import { requireLogin } from './login.ts';

/**
 * The form's pictures: a description field and a remove box per attachment the post has (ids from the
 * post, never from the form), turned into the core's media_ids (only when one is removed) and attributes.
 */
function readPictures(body: FormBody, post: Post) {
  const media: NonNullable<EditPostState['media']> = {};
  for (const m of post.media) {
    const typed = body?.[`description_${m.id}`];
    // One more character than the core takes, so it says the description is too long rather than cut it.
    media[m.id] = { description: typed === undefined ? m.description : formField(body, `description_${m.id}`, DESCRIPTION_MAX + 1), remove: formField(body, `remove_${m.id}`, 10) !== '' };
  }
  const kept = post.media.filter((m) => !media[m.id]!.remove);
  return {
    media,
    mediaIds: kept.length < post.media.length ? kept.map((m) => m.id) : undefined,
    mediaAttributes: kept.filter((m) => media[m.id]!.description !== m.description).map((m) => ({ id: m.id, description: media[m.id]!.description })),
  };
}

const idParams = { params: { type: 'object', properties: { id: { type: 'string', maxLength: 40 } } } } as const;

/** `/statuses/:id/edit`: the author's edit form and its POST, through the same core.posts.editPost as the API. */
export function registerStatusEdit(app: FastifyInstance, core: Core): void {
  // One more character than the core's raw bound, so it can say the text is too long rather than cut it.
  const rawLimit = core.config.maxPostLength * RAW_FACTOR + 1;

  app.get<{ Params: { id: string } }>('/statuses/:id/edit', { schema: idParams }, async (request, reply) => {
    if (!requireLogin(request, reply, `/statuses/${request.params.id}/edit`)) return reply;
    const post = await core.posts.getPost(request.params.id, request.account!.id);
    // As the API: another's post is not one the viewer has to edit.
    if (post.account.id !== request.account!.id) throw new NotFound('No such post of yours.');
    return sendPage(reply, editPostPage(pageContext(request, reply), post, { text: post.text, spoilerText: post.spoilerText }, core.config.maxPostLength));
  });

  app.post<{ Params: { id: string }; Body: FormBody }>('/statuses/:id/edit', { preHandler: app.csrfProtection, schema: idParams }, async (request, reply) => {
    if (!requireLogin(request, reply, `/statuses/${request.params.id}/edit`)) return reply;
    const me = request.account!.id;
    const text = formField(request.body, 'status', rawLimit);
    // Past the core's 500, so it can name the length of a warning too long.
    const spoilerText = formField(request.body, 'spoiler_text', 1_000);
    const before = await core.posts.getPost(request.params.id, me);
    if (before.account.id !== me) throw new NotFound('No such post of yours.');
    const pictures = readPictures(request.body, before);
    try {
      const post = await core.posts.editPost(me, request.params.id, { text, spoilerText, mediaIds: pictures.mediaIds, mediaAttributes: pictures.mediaAttributes });
      request.log.info({ postId: post.id }, 'post edited');
      return reply.redirect(postPath(post.account.username, post.id), 303);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      request.log.info({ status: 422, reason: error.message }, 'edit rejected');
      const post = await core.posts.getPost(request.params.id, me);
      const errors = { ...error.fields };
      return sendPage(reply, editPostPage(pageContext(request, reply), post, { text, spoilerText, errors, media: pictures.media }, core.config.maxPostLength), 422);
    }
  });
}
