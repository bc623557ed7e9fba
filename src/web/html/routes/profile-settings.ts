import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid, TooLarge, type Core } from '../../../core/index.ts';
import { profileSettingsPage } from '../views/profile-settings-page.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { formField, type FormBody } from './form.ts';
import { requireLogin } from './login.ts';
import { fileBytes, remainingParts } from '../multipart-form.ts';

// Far above the core's limits (30 and 500 characters), so an over-long value reaches the core whole and
// is refused with its length, yet bounded: a hostile form cannot make the page echo megabytes.
const READ_MAX = 5_000;

/**
 * The `avatar` and `header` files of the form, each read whole up to the image size limit (others are
 * drained). The form's leading fields, `_csrf` among them, were read before the CSRF check
 * (multipart-form.ts), so no byte of a file is read for a request that check refused.
 */
async function readPictures(request: FastifyRequest, maxBytes: number): Promise<{ avatar?: Buffer; header?: Buffer }> {
  const pictures: { avatar?: Buffer; header?: Buffer } = {};
  for await (const part of remainingParts(request)) {
    const name = part.fieldname;
    if ((name !== 'avatar' && name !== 'header') || pictures[name]) {
      part.file.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of fileBytes(part)) {
      size += chunk.length;
      if (size > maxBytes) {
        part.file.resume();
        throw new TooLarge(`Pictures have at most ${Math.floor(maxBytes / (1024 * 1024))} MB; the chosen ${name} is larger.`);
      }
      chunks.push(chunk);
    }
    // A file input left empty is sent as a part with no bytes: nothing to change.
    if (size > 0) pictures[name] = Buffer.concat(chunks);
  }
  return pictures;
}

/** `/settings/profile`: display name, bio, avatar and header, through the core (the API's rules too). */
export function registerProfileSettings(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: { saved?: string } }>('/settings/profile', async (request, reply) => {
    if (!requireLogin(request, reply, '/settings/profile')) return reply;
    const me = await core.accounts.getAccount(request.account!.id);
    const values = { display_name: me.displayName, note: me.note };
    return sendPage(reply, profileSettingsPage(pageContext(request, reply), { values, account: me, saved: request.query.saved === '1' }));
  });

  // A form with files (multipart): its leading fields come before the CSRF check, its files after it.
  app.post<{ Body: FormBody }>(
    '/settings/profile',
    { preHandler: app.csrfProtection, config: { formFiles: true } },
    async (request, reply) => {
      if (!requireLogin(request, reply, '/settings/profile')) return reply;
      const me = request.account!.id;
      const form = await readPictures(request, core.config.mediaMaxImageBytes);
      // Fields after the files (the remove boxes) joined the body as the files were read.
      const body = request.body;
      const values = { display_name: formField(body, 'display_name', READ_MAX), note: formField(body, 'note', READ_MAX) };
      try {
        const changes = { displayName: values.display_name, note: values.note };
        core.accounts.checkProfileChanges(changes);
        const images = { avatar: form.avatar, header: form.header, removeAvatar: formField(body, 'remove_avatar', 10) === '1', removeHeader: formField(body, 'remove_header', 10) === '1' };
        if (images.avatar || images.header) await core.rateLimits.consumeRateLimit(core.rateLimits.rules.mediaUploadsPerAccount, me);
        // The text was checked above, so pictures first: a refused one leaves the whole profile as it was.
        if (images.avatar || images.header || images.removeAvatar || images.removeHeader) await core.accounts.updateProfileImages(me, images);
        await core.accounts.updateProfile(me, changes);
        request.log.info('profile saved');
        return reply.redirect('/settings/profile?saved=1', 303);
      } catch (error) {
        if (!(error instanceof Invalid)) throw error;
        const count = Object.keys(error.fields).length;
        const alert = count > 1 ? 'Please fix the highlighted fields. Nothing was saved yet.' : 'Please fix the highlighted field. Nothing was saved yet.';
        const account = await core.accounts.getAccount(me);
        return sendPage(reply, profileSettingsPage(pageContext(request, reply), { values, account, errors: { ...error.fields }, alert }), 422);
      }
    },
  );
}
