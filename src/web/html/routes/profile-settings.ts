import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid, TooLarge, type Core } from '../../../core/index.ts';
import { profileSettingsPage } from '../views/profile-settings-page.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { formField, type FormBody } from './form.ts';
import { requireLogin } from './login.ts';
import { sessionCookieName } from '../session.ts';

// Far above the core's limits (30 and 500 characters), so an over-long value reaches the core whole and
// is refused with its length, yet bounded: a hostile form cannot make the page echo megabytes.
const READ_MAX = 5_000;

/** What the form posts: its text fields as strings, and the picture files read whole (bounded). */
interface ProfileForm {
  fields: Record<string, string>;
  avatar?: Buffer;
  header?: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The profile form's multipart body, read before the CSRF check (which needs its `_csrf`). */
    profileForm?: ProfileForm;
  }
}

/**
 * Reads the form's multipart body (it carries files, so the browser sends multipart/form-data): text
 * fields, and the `avatar` and `header` files each bounded by the image size limit. The `_csrf` field
 * lands in `request.body`, where the CSRF check (a preHandler, after this) looks for it. Only with a
 * session cookie: anyone else is sent to the login page without a byte of the body being kept.
 */
async function readProfileForm(request: FastifyRequest, maxBytes: number, sessionCookie: string): Promise<void> {
  // The session is resolved later (a preHandler): here only its cookie's presence is known.
  if (!request.isMultipart() || !request.cookies[sessionCookie]) return;
  const form: ProfileForm = { fields: {} };
  for await (const part of request.parts({ limits: { files: 2, fields: 20, fieldSize: 16 * 1024, fileSize: maxBytes + 1 } })) {
    if (part.type === 'field') {
      if (!(part.fieldname in form.fields)) form.fields[part.fieldname] = typeof part.value === 'string' ? part.value : '';
      continue;
    }
    if ((part.fieldname !== 'avatar' && part.fieldname !== 'header') || form[part.fieldname]) {
      part.file.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        part.file.resume();
        throw new TooLarge(`Pictures have at most ${Math.floor(maxBytes / (1024 * 1024))} MB; the chosen ${part.fieldname} is larger.`);
      }
      chunks.push(chunk);
    }
    // A file input left empty is sent as a part with no bytes: nothing to change.
    if (size > 0) form[part.fieldname] = Buffer.concat(chunks);
  }
  request.profileForm = form;
  request.body = form.fields;
}

/** `/settings/profile`: display name, bio, avatar and header, through the core (the API's rules too). */
export function registerProfileSettings(app: FastifyInstance, core: Core): void {
  const sessionCookie = sessionCookieName(core.config.secureCookies);
  app.get<{ Querystring: { saved?: string } }>('/settings/profile', async (request, reply) => {
    if (!requireLogin(request, reply, '/settings/profile')) return reply;
    const me = await core.accounts.getAccount(request.account!.id);
    const values = { display_name: me.displayName, note: me.note };
    return sendPage(reply, profileSettingsPage(pageContext(request, reply), { values, account: me, saved: request.query.saved === '1' }));
  });

  // A scope of its own, so multipart is parsed for this form (the pages scope may already parse it for
  // other forms with files: then its parser is inherited and not registered twice).
  void app.register(async (scope) => {
    if (!scope.hasContentTypeParser('multipart/form-data')) await scope.register(multipart);
    scope.post<{ Body: FormBody }>(
      '/settings/profile',
      { preValidation: (request) => readProfileForm(request, core.config.mediaMaxImageBytes, sessionCookie), preHandler: scope.csrfProtection },
      async (request, reply) => {
        if (!requireLogin(request, reply, '/settings/profile')) return reply;
        const me = request.account!.id;
        const form = request.profileForm;
        const body = form?.fields ?? request.body;
        const values = { display_name: formField(body, 'display_name', READ_MAX), note: formField(body, 'note', READ_MAX) };
        try {
          const changes = { displayName: values.display_name, note: values.note };
          core.accounts.checkProfileChanges(changes);
          const images = { avatar: form?.avatar, header: form?.header, removeAvatar: formField(body, 'remove_avatar', 10) === '1', removeHeader: formField(body, 'remove_header', 10) === '1' };
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
  });
}
