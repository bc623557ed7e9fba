import { sql, type SqlBool } from 'kysely';
import { toAccount } from '../accounts/account-view.ts';
import type { CoreContext } from '../context.ts';
import type { NotificationType } from '../db/schema.ts';
import { Invalid } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { hydratePosts } from '../posts/hydrate.ts';
import { DEFAULT_PAGE_SIZE, pageBounds, type PageRequest } from '../posts/page.ts';
import { selectPosts } from '../posts/post-view.ts';
import { visibleTo, viewerOf } from '../posts/visibility.ts';
import type { Notification } from './notifications.ts';

// The one read of notifications: the website's page, the API's list and its single notification all
// come here, so what is shown (and what is hidden) is decided once.

export const NOTIFICATION_TYPES = ['mention', 'follow', 'favourite', 'reblog', 'update'] as const satisfies readonly NotificationType[];
/** The API lists up to 80 at once (Mastodon's maximum); the website asks for fewer. */
export const MAX_NOTIFICATIONS_PAGE = 80;

/** A page of notifications, narrowed as the API allows. */
export interface NotificationFilter extends PageRequest {
  /** Only these types (empty or absent: every type). */
  types?: readonly NotificationType[] | undefined;
  /** Not these types. */
  excludeTypes?: readonly NotificationType[] | undefined;
  /** Only those caused by this account. */
  fromAccountId?: string | undefined;
}

/** Notifications (alias `n`) the account is shown: those about no post, or about a post it may see. */
export function shownTo(accountId: string) {
  return sql<SqlBool>`(n.status_id IS NULL OR EXISTS (SELECT 1 FROM statuses s WHERE s.id = n.status_id AND ${visibleTo(viewerOf(accountId))}))`;
}

/** The account's notifications as `filter` asks (or the one with `onlyId`), hydrated, newest first. */
export async function readNotifications(ctx: CoreContext, accountId: string, filter: NotificationFilter, onlyId?: string): Promise<Notification[]> {
  const bounds = pageBounds(filter, { limit: DEFAULT_PAGE_SIZE, max: MAX_NOTIFICATIONS_PAGE });
  if (filter.fromAccountId !== undefined && !isId(filter.fromAccountId)) throw new Invalid('account_id must be an account id.', 'account_id');
  const viewer = viewerOf(accountId);
  let query = ctx.db
    .selectFrom('notifications as n')
    .innerJoin('accounts as f', 'f.id', 'n.from_account_id')
    .select([
      'n.id', 'n.type', 'n.created_at', 'n.read_at', 'n.status_id',
      'f.id as f_id', 'f.username as f_username', 'f.display_name as f_display_name', 'f.note as f_note', 'f.is_admin as f_is_admin',
      'f.locked as f_locked', 'f.bot as f_bot', 'f.discoverable as f_discoverable', 'f.statuses_count as f_statuses_count', 'f.followers_count as f_followers_count',
      'f.following_count as f_following_count', 'f.last_status_at as f_last_status_at', 'f.created_at as f_created_at', 'f.avatar_key as f_avatar_key', 'f.avatar_small_key as f_avatar_small_key', 'f.header_key as f_header_key',
    ])
    .where('n.account_id', '=', accountId)
    .where(shownTo(accountId))
    .orderBy('n.id', bounds.minId ? 'asc' : 'desc')
    .limit(bounds.limit);
  if (onlyId !== undefined) query = query.where('n.id', '=', onlyId);
  if (bounds.maxId) query = query.where('n.id', '<', bounds.maxId);
  if (bounds.sinceId) query = query.where('n.id', '>', bounds.sinceId);
  if (bounds.minId) query = query.where('n.id', '>', bounds.minId);
  if (filter.types && filter.types.length > 0) query = query.where('n.type', 'in', [...filter.types]);
  if (filter.excludeTypes && filter.excludeTypes.length > 0) query = query.where('n.type', 'not in', [...filter.excludeTypes]);
  if (filter.fromAccountId !== undefined) query = query.where('n.from_account_id', '=', filter.fromAccountId);
  const rows = await query.execute();
  // `minId` reads the page just newer than it, upward; the answer is newest first all the same.
  if (bounds.minId) rows.reverse();
  if (rows.length === 0) return [];
  const postIds = [...new Set(rows.flatMap((r) => (r.status_id ? [r.status_id] : [])))];
  const postRows = postIds.length ? await selectPosts(ctx.db, viewer).where('s.id', 'in', postIds).execute() : [];
  const byId = new Map((await hydratePosts(ctx.db, viewer, postRows)).map((p) => [p.id, p]));
  return rows.flatMap((r) => {
    const post = r.status_id ? byId.get(r.status_id) : null;
    if (post === undefined) return []; // deleted since the page was read
    const from = toAccount({
      id: r.f_id, username: r.f_username, display_name: r.f_display_name, note: r.f_note, is_admin: r.f_is_admin, locked: r.f_locked,
      bot: r.f_bot, discoverable: r.f_discoverable, statuses_count: r.f_statuses_count, followers_count: r.f_followers_count, following_count: r.f_following_count,
      last_status_at: r.f_last_status_at, created_at: r.f_created_at,
      avatar_key: r.f_avatar_key, avatar_small_key: r.f_avatar_small_key, header_key: r.f_header_key,
    });
    return [{ id: r.id, type: r.type, createdAt: r.created_at, readAt: r.read_at, from, post }];
  });
}
