import type { FastifyInstance } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { requireScope } from '../authenticate.ts';
import { setPageLinks } from '../paging.ts';
import { requireId } from '../params.ts';
import { notificationSchema, toMastodonNotification } from '../serializers/notification.ts';
import { anyObject, arr, int, obj } from '../serializers/schema.ts';
import { NOTIFICATION_QUERY, readNotificationFilter } from './notification-params.ts';
import { describe, ID_PARAM } from '../docs/describe.ts';

const NOTIFICATION_ID = ID_PARAM('notification');

// Notifications v1 (mastodon-api.md §2): the list with its filters and Link paging (an exclusive
// `min_id`: Tusky #3580), one notification, dismiss, clear, and the unread count. Made by the bus
// consumers (mention, follow, favourite, reblog), never in the request; a notification about a post the
// account may no longer see is not shown, here as on the website.

const READ = requireScope('read:notifications', { user: true });
const WRITE = requireScope('write:notifications', { user: true });

/** GET /api/v1/notifications, /:id, /unread_count; POST /:id/dismiss, /clear. */
export function registerNotificationRoutes(scope: FastifyInstance, core: Core): void {
  const base = core.config.publicUrl;

  scope.get('/v1/notifications', { schema: { ...describe('Notifications', 'The user’s notifications, newest first', { query: NOTIFICATION_QUERY }), response: { 200: arr(notificationSchema) } }, preHandler: READ }, async (request, reply) => {
    const filter = readNotificationFilter(request.query);
    if (!filter) return [];
    const list = await core.notifications.listNotifications(request.token!.account!.id, filter);
    setPageLinks(request, reply, base, list);
    return list.map((n) => toMastodonNotification(n, core.config));
  });

  // The badge: what the account has not read (on the website or through the notifications marker).
  scope.get('/v1/notifications/unread_count', { schema: { ...describe('Notifications', 'How many notifications the user has not read'), response: { 200: obj({ count: int }) } }, preHandler: READ }, async (request) => ({
    count: await core.notifications.countUnreadNotifications(request.token!.account!.id),
  }));

  scope.post('/v1/notifications/clear', { schema: { ...describe('Notifications', 'Dismiss all the user’s notifications'), response: { 200: anyObject } }, preHandler: WRITE }, async (request) => {
    const cleared = await core.notifications.clearNotifications(request.token!.account!.id);
    request.log.info({ cleared }, 'notifications cleared');
    return {};
  });

  scope.get('/v1/notifications/:id', { schema: { ...describe('Notifications', 'One notification', { params: NOTIFICATION_ID }), response: { 200: notificationSchema } }, preHandler: READ }, async (request) => {
    const id = requireId((request.params as { id: string }).id);
    return toMastodonNotification(await core.notifications.getNotification(request.token!.account!.id, id), core.config);
  });

  scope.post('/v1/notifications/:id/dismiss', { schema: { ...describe('Notifications', 'Dismiss one notification', { params: NOTIFICATION_ID }), response: { 200: anyObject } }, preHandler: WRITE }, async (request) => {
    const id = requireId((request.params as { id: string }).id);
    await core.notifications.dismissNotification(request.token!.account!.id, id);
    return {};
  });
}
