import type { Notification, SiteUrls } from '../../../core/index.ts';
import { accountSchema, toMastodonAccount, type MastodonAccount } from './account.ts';
import { int, nul, obj, orNull, ref, str, arr } from './schema.ts';
import { statusSchema, toMastodonStatus, type MastodonStatus } from './status.ts';

// The Notification entity (mastodon-api.md §3), and the NotificationGroup of the grouped (v2) list.
// Pipit does not group: each notification is its own group, keyed "ungrouped-{id}" as Mastodon keys
// a notification it did not group, so a client that groups by key still shows each once.

export interface MastodonNotification {
  id: string;
  type: string;
  created_at: string;
  group_key: string;
  account: MastodonAccount;
  status: MastodonStatus | null;
}

/** The key of the group a notification makes on its own. */
export function groupKeyOf(notificationId: string): string {
  return `ungrouped-${notificationId}`;
}

export function toMastodonNotification(n: Notification, site: SiteUrls): MastodonNotification {
  return {
    id: n.id,
    type: n.type,
    created_at: n.createdAt.toISOString(),
    group_key: groupKeyOf(n.id),
    account: toMastodonAccount(n.from, site),
    status: n.post ? toMastodonStatus(n.post, site) : null,
  };
}

export const notificationEntity = obj({
  id: str,
  type: str,
  created_at: str,
  group_key: str,
  account: accountSchema,
  status: { anyOf: [statusSchema, nul] },
});

export const notificationSchema = ref('Notification');

export interface MastodonNotificationGroup {
  group_key: string;
  notifications_count: number;
  type: string;
  most_recent_notification_id: string;
  page_min_id: string;
  page_max_id: string;
  latest_page_notification_at: string;
  sample_account_ids: string[];
  status_id: string | null;
}

export function toNotificationGroup(n: Notification): MastodonNotificationGroup {
  return {
    group_key: groupKeyOf(n.id),
    notifications_count: 1,
    type: n.type,
    most_recent_notification_id: n.id,
    page_min_id: n.id,
    page_max_id: n.id,
    latest_page_notification_at: n.createdAt.toISOString(),
    sample_account_ids: [n.from.id],
    status_id: n.post ? n.post.id : null,
  };
}

export const notificationGroupSchema = obj({
  group_key: str,
  notifications_count: int,
  type: str,
  most_recent_notification_id: str,
  page_min_id: str,
  page_max_id: str,
  latest_page_notification_at: str,
  sample_account_ids: arr(str),
  status_id: orNull(str),
});

/** The grouped page: each account and status once, the groups referring to them by id. */
export function toGroupedNotifications(list: readonly Notification[], site: SiteUrls) {
  const accounts = new Map<string, MastodonAccount>();
  const statuses = new Map<string, MastodonStatus>();
  for (const n of list) {
    if (!accounts.has(n.from.id)) accounts.set(n.from.id, toMastodonAccount(n.from, site));
    if (n.post && !statuses.has(n.post.id)) statuses.set(n.post.id, toMastodonStatus(n.post, site));
  }
  return { accounts: [...accounts.values()], statuses: [...statuses.values()], notification_groups: list.map(toNotificationGroup) };
}

export const groupedNotificationsSchema = obj({
  accounts: arr(accountSchema),
  statuses: arr(statusSchema),
  notification_groups: arr(notificationGroupSchema),
});
