import type { FastifyInstance } from 'fastify';
import { Invalid, type Core } from '../../../core/index.ts';
import { profileSettingsPage } from '../views/profile-settings-page.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { formField, type FormBody } from './form.ts';
import { requireLogin } from './login.ts';

// Far above the core's limits (30 and 500 characters), so an over-long value reaches the core whole and
// is refused with its length, yet bounded: a hostile form cannot make the page echo megabytes.
const READ_MAX = 5_000;

/** `/settings/profile`: display name and bio, through the core's updateProfile (the API's rules too). */
export function registerProfileSettings(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: { saved?: string } }>('/settings/profile', async (request, reply) => {
    if (!requireLogin(request, reply, '/settings/profile')) return reply;
    const me = await core.accounts.getAccount(request.account!.id);
    const values = { display_name: me.displayName, note: me.note };
    return sendPage(reply, profileSettingsPage(pageContext(request, reply), { values, saved: request.query.saved === '1' }));
  });

  app.post<{ Body: FormBody }>('/settings/profile', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!requireLogin(request, reply, '/settings/profile')) return reply;
    const values = { display_name: formField(request.body, 'display_name', READ_MAX), note: formField(request.body, 'note', READ_MAX) };
    try {
      await core.accounts.updateProfile(request.account!.id, { displayName: values.display_name, note: values.note });
      request.log.info('profile saved');
      return reply.redirect('/settings/profile?saved=1', 303);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const count = Object.keys(error.fields).length;
      const alert = count > 1 ? 'Please fix the highlighted fields. Nothing was saved yet.' : 'Please fix the highlighted field. Nothing was saved yet.';
      return sendPage(reply, profileSettingsPage(pageContext(request, reply), { values, errors: { ...error.fields }, alert }), 422);
    }
  });
}
