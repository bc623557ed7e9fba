import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { notificationsPage, settingsPage, unsubscribePage } from '../views/notification-pages.ts';
import { UNREAD_CAP } from '../views/layout.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { boundsOf, pagingSchema, readPageOf } from './paging.ts';
import { formField, type FormBody } from './form.ts';

const PAGE_SIZE = 20;

function requireLogin(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.account) return true;
  void reply.redirect(`/auth/sign_in?return_to=${encodeURIComponent(request.url.split('?')[0] ?? '/')}`, 303);
  return false;
}

const tokenParams = { params: { type: 'object', properties: { token: { type: 'string', maxLength: 100, pattern: '^[0-9]{1,19}\\.[A-Za-z0-9_-]{1,64}$' } } } } as const;

/** Notifications, the email setting, and one-click unsubscribe (which needs no login). */
export function registerNotificationPages(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: { max_id?: string; min_id?: string } }>('/notifications', { schema: pagingSchema }, async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const accountId = request.account!.id;
    const list = await readPageOf(boundsOf(request.query), PAGE_SIZE, (bounds, limit) => core.notifications.listNotifications(accountId, { ...bounds, limit }));
    const items = list.items;
    // Shown once with "New", read from then on: only what this page shows and older, never one that
    // arrived after the list was read (it stays unread for the next visit).
    const newest = items[0];
    if (newest) {
      const marked = await core.notifications.markNotificationsRead(accountId, { upToId: newest.id });
      if (marked > 0) request.unreadNotifications = await core.notifications.countUnreadNotifications(accountId, { cap: UNREAD_CAP });
    }
    const page = { ...pageContext(request, reply), current: 'notifications' as const };
    return sendPage(reply, notificationsPage(page, list));
  });

  app.get<{ Querystring: { saved?: string } }>('/settings', async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const settings = await core.notifications.getNotificationSettings(request.account!.id);
    return sendPage(reply, settingsPage({ ...pageContext(request, reply), current: 'settings' }, settings, { saved: request.query.saved === '1' }));
  });

  app.post<{ Body: FormBody }>('/settings', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const on = formField(request.body, 'email_notifications', 10) === 'on';
    await core.notifications.setEmailNotifications(request.account!.id, on);
    request.log.info({ emailNotifications: on }, 'settings saved');
    return reply.redirect('/settings?saved=1', 303);
  });

  app.get<{ Params: { token: string } }>('/unsubscribe/:token', { schema: tokenParams }, async (request, reply) => {
    const who = await core.notifications.checkUnsubscribeToken(request.params.token);
    reply.header('X-Robots-Tag', 'noindex');
    return sendPage(reply, unsubscribePage(pageContext(request, reply), { token: request.params.token, username: who.username, done: !who.emailNotifications }));
  });

  // No CSRF token and no same-site check: the secret link is the credential, and mail providers POST
  // here directly for RFC 8058 one-click unsubscribe (body `List-Unsubscribe=One-Click`). Turning
  // emails off is all it can do.
  app.post<{ Params: { token: string } }>('/unsubscribe/:token', { schema: tokenParams, config: { crossSite: 'allowed' } }, async (request, reply) => {
    const who = await core.notifications.unsubscribeWithToken(request.params.token);
    request.log.info('unsubscribed from mention emails');
    reply.header('X-Robots-Tag', 'noindex');
    return sendPage(reply, unsubscribePage(pageContext(request, reply), { token: request.params.token, username: who.username, done: true }));
  });
}
