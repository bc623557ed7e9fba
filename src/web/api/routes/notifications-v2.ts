import type { FastifyInstance } from 'fastify';
import { NotFound, type Core } from '../../../core/index.ts';
import { requireScope } from '../authenticate.ts';
import { setPageLinks } from '../paging.ts';
import { requireId } from '../params.ts';
import { groupedNotificationsSchema, notificationGroupSchema, toGroupedNotifications, toNotificationGroup } from '../serializers/notification.ts';
import { anyObject, int, obj } from '../serializers/schema.ts';
import { NOTIFICATION_QUERY, readNotificationFilter } from './notification-params.ts';
import { describe, text } from '../docs/describe.ts';

const GROUP_KEY = { group_key: text('The group’s key (`ungrouped-<notification id>`).') };

// Grouped notifications (Mastodon 4.3's v2), as far as Phanpy needs them. Pipit reports
// `api_versions.mastodon: 1`, so clients use v1; this answers those that try v2 anyway. Every
// notification is its own group ("ungrouped-{id}", count 1), which the format allows; the groups page
// like v1, by notification id.

const READ = requireScope('read:notifications', { user: true });
const WRITE = requireScope('write:notifications', { user: true });

/** The notification id inside a group key this API handed out; NotFound for any other key. */
function idOfGroup(key: string): string {
  const match = /^ungrouped-(\d{1,19})$/.exec(key);
  if (!match) throw new NotFound('No such notification group.');
  return requireId(match[1]);
}

/** GET /api/v2/notifications, /unread_count, /:group_key; POST /:group_key/dismiss. */
export function registerGroupedNotificationRoutes(scope: FastifyInstance, core: Core): void {
  const base = core.config.publicUrl;

  const list = describe('Notifications', 'Grouped notifications (each notification is its own group)', { query: NOTIFICATION_QUERY });
  scope.get('/v2/notifications', { schema: { ...list, response: { 200: groupedNotificationsSchema } }, preHandler: READ }, async (request, reply) => {
    const filter = readNotificationFilter(request.query);
    if (!filter) return toGroupedNotifications([], core.config);
    const list = await core.notifications.listNotifications(request.token!.account!.id, filter);
    setPageLinks(request, reply, base, list);
    return toGroupedNotifications(list, core.config);
  });

  scope.get('/v2/notifications/unread_count', { schema: { ...describe('Notifications', 'How many notifications the user has not read (v2)'), response: { 200: obj({ count: int }) } }, preHandler: READ }, async (request) => ({
    count: await core.notifications.countUnreadNotifications(request.token!.account!.id),
  }));

  scope.get('/v2/notifications/:group_key', { schema: { ...describe('Notifications', 'One notification group', { params: GROUP_KEY }), response: { 200: notificationGroupSchema } }, preHandler: READ }, async (request) => {
    const id = idOfGroup(String((request.params as { group_key: string }).group_key));
    return toNotificationGroup(await core.notifications.getNotification(request.token!.account!.id, id));
  });

  scope.post('/v2/notifications/:group_key/dismiss', { schema: { ...describe('Notifications', 'Dismiss a notification group', { params: GROUP_KEY }), response: { 200: anyObject } }, preHandler: WRITE }, async (request) => {
    const id = idOfGroup(String((request.params as { group_key: string }).group_key));
    await core.notifications.dismissNotification(request.token!.account!.id, id);
    return {};
  });
}
