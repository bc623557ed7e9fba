import { sql } from 'kysely';
import type { Account } from '../accounts/account-view.ts';
import type { CoreContext } from '../context.ts';
import { Invalid, NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import type { NotificationType } from '../db/schema.ts';
import type { Post } from '../posts/post-view.ts';
import { readNotifications, shownTo, type NotificationFilter } from './notification-query.ts';
import { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';

export interface Notification {
  id: string;
  type: NotificationType;
  createdAt: Date;
  readAt: Date | null;
  from: Account;
  /** The post it is about, hydrated for the recipient; null for a follow. */
  post: Post | null;
}

/** A post to notify the mentions of, and the request that made it (carried into its email jobs). */
export interface PostToNotify {
  postId: string;
  reqId?: string | undefined;
}

/**
 * `notify-mentions`: for each account a post mentions (not its author), an in-app notification and,
 * when the account wants email, a delivery row; and a `send-email` job for the post's emails — all in one transaction, for
 * a batch of posts at once; the answer is in the order of `posts`. Repeating it is harmless: existing
 * rows are kept and no second email job is made. A deleted post has no mentions left: it notifies no one.
 */
export async function notifyMentionsOfPosts(ctx: CoreContext, posts: readonly PostToNotify[]): Promise<{ notified: number; emails: number }[]> {
  const ids = [...new Set(posts.map((p) => p.postId).filter(isId))];
  if (ids.length === 0) return posts.map(() => ({ notified: 0, emails: 0 }));
  return ctx.db.transaction().execute(async (trx) => {
    // One statement for every row of the batch: the worker runs this for every post, so round trips are its cost.
    const { rows } = await sql<{ post_id: string; delivery_id: string | null }>`
      WITH mentioned AS (
        SELECT m.status_id, m.account_id, s.account_id AS author_id, a.email_notifications
        FROM mentions m
        JOIN statuses s ON s.id = m.status_id
        JOIN accounts a ON a.id = m.account_id
        WHERE m.status_id IN (${sql.join(ids)}) AND m.account_id <> s.account_id
      ), notified AS (
        INSERT INTO notifications (account_id, type, from_account_id, status_id)
        SELECT account_id, 'mention', author_id, status_id FROM mentioned
        ON CONFLICT (account_id, type, from_account_id, status_id) DO NOTHING
        RETURNING status_id
      ), deliveries AS (
        INSERT INTO email_deliveries (kind, status_id, account_id)
        SELECT 'mention', status_id, account_id FROM mentioned WHERE email_notifications
        ON CONFLICT (kind, status_id, account_id) DO NOTHING
        RETURNING id, status_id
      )
      SELECT status_id::text AS post_id, NULL AS delivery_id FROM notified
      UNION ALL
      SELECT status_id::text, id::text FROM deliveries`.execute(trx);
    // One email job per post: its emails go out together and are retried together, each still sent once.
    const jobs: { deliveryIds: string[]; reqId?: string }[] = [];
    const answered = new Set<string>();
    const answers = posts.map(({ postId, reqId }) => {
      if (answered.has(postId)) return { notified: 0, emails: 0 }; // the same post twice in one batch: the first answers
      answered.add(postId);
      const deliveryIds = rows.filter((r) => r.post_id === postId && r.delivery_id !== null).map((r) => r.delivery_id!);
      if (deliveryIds.length) jobs.push({ deliveryIds, ...(reqId ? { reqId } : {}) });
      return { notified: rows.filter((r) => r.post_id === postId && r.delivery_id === null).length, emails: deliveryIds.length };
    });
    await ctx.bus.enqueueMany(trx, 'send-email', jobs);
    return answers;
  });
}

/** `notify-mentions` for one post (see notifyMentionsOfPosts). */
export async function notifyMentions(ctx: CoreContext, postId: string): Promise<{ notified: number; emails: number }> {
  return (await notifyMentionsOfPosts(ctx, [{ postId }]))[0]!;
}

/**
 * A page of an account's notifications, newest first (`maxId`: older than it; `sinceId`: newer than it;
 * `minId`: the page just newer), optionally only some types or from one account (the API's filters).
 * One about a post the account may no longer see (they unfollowed a private poster) is not shown.
 */
export async function listNotifications(ctx: CoreContext, accountId: string, page: NotificationFilter = {}): Promise<Notification[]> {
  return readNotifications(ctx, accountId, page);
}

/** One of the account's notifications (as the list shows it); NotFound for another's, or one not shown. */
export async function getNotification(ctx: CoreContext, accountId: string, id: string): Promise<Notification> {
  if (!isId(id)) throw new NotFound('No such notification.');
  const [found] = await readNotifications(ctx, accountId, { limit: 1 }, id);
  if (!found) throw new NotFound('No such notification.');
  return found;
}

/** Removes one of the account's notifications (dismiss); NotFound when it has no such notification. */
export async function dismissNotification(ctx: CoreContext, accountId: string, id: string): Promise<void> {
  if (!isId(id)) throw new NotFound('No such notification.');
  const result = await ctx.db.deleteFrom('notifications').where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new NotFound('No such notification.');
}

/** Removes every notification of the account (clear); returns how many there were. */
export async function clearNotifications(ctx: CoreContext, accountId: string): Promise<number> {
  const result = await ctx.db.deleteFrom('notifications').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * How many notifications the account has not seen yet, counted up to `cap` (the header shows "99+"
 * beyond it): every page a logged-in person opens asks, so the count stops early rather than read them all.
 */
export async function countUnreadNotifications(ctx: CoreContext, accountId: string, options: { cap?: number } = {}): Promise<number> {
  const cap = Math.max(1, Math.min(Math.trunc(options.cap ?? 1000) || 1000, 1000));
  const row = await ctx.db
    .selectFrom((db) =>
      db
        .selectFrom('notifications as n')
        .select('n.id')
        .where('n.account_id', '=', accountId)
        .where('n.read_at', 'is', null)
        // The same notifications the list shows: none about a post the account may no longer see.
        .where(shownTo(accountId))
        .orderBy('n.id', 'desc')
        .limit(cap)
        .as('unread'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Marks the account's notifications up to `upToId` (the newest one a page showed) as read. Bounded by
 * that id, not "all": a mention that arrives after the page was read stays unread until it is shown.
 */
export async function markNotificationsRead(ctx: CoreContext, accountId: string, upTo: { upToId: string }): Promise<number> {
  if (!isId(upTo.upToId)) throw new Invalid('upToId must be a notification id.', 'upToId');
  const result = await ctx.db
    .updateTable('notifications')
    .set({ read_at: new Date() })
    .where('account_id', '=', accountId)
    .where('read_at', 'is', null)
    .where('id', '<=', upTo.upToId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The account's notification settings. */
export async function getNotificationSettings(ctx: CoreContext, accountId: string): Promise<{ emailNotifications: boolean }> {
  const row = await ctx.db.selectFrom('accounts').select('email_notifications').where('id', '=', accountId).executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return { emailNotifications: row.email_notifications };
}

/** Turns email notifications on or off. Emails not yet sent are not sent once they are off. */
export async function setEmailNotifications(ctx: CoreContext, accountId: string, on: boolean): Promise<void> {
  const result = await ctx.db.updateTable('accounts').set({ email_notifications: on, updated_at: new Date() }).where('id', '=', accountId).executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new NotFound('No such account.');
}

/** Who an unsubscribe link is for (the confirmation page); NotFound when the link is not valid. */
export async function checkUnsubscribeToken(ctx: CoreContext, token: string): Promise<{ username: string; emailNotifications: boolean }> {
  const accountId = verifyUnsubscribeToken(ctx.config.secretKey, String(token).slice(0, 200));
  if (!accountId) throw new NotFound('This unsubscribe link is not valid. You can change email settings after logging in.');
  const row = await ctx.db.selectFrom('accounts').select(['username', 'email_notifications']).where('id', '=', accountId).executeTakeFirst();
  if (!row) throw new NotFound('This unsubscribe link is not valid any more.');
  return { username: row.username, emailNotifications: row.email_notifications };
}

/** Turns email notifications off through an unsubscribe link (no login needed). */
export async function unsubscribeWithToken(ctx: CoreContext, token: string): Promise<{ username: string }> {
  const accountId = verifyUnsubscribeToken(ctx.config.secretKey, String(token).slice(0, 200));
  if (!accountId) throw new NotFound('This unsubscribe link is not valid. You can change email settings after logging in.');
  const row = await ctx.db.updateTable('accounts').set({ email_notifications: false, updated_at: new Date() }).where('id', '=', accountId).returning('username').executeTakeFirst();
  if (!row) throw new NotFound('This unsubscribe link is not valid any more.');
  return { username: row.username };
}

/** The unsubscribe link of an account (tests, the mailer). */
export function unsubscribeUrl(ctx: CoreContext, accountId: string): string {
  return `${ctx.config.publicUrl}/unsubscribe/${unsubscribeToken(ctx.config.secretKey, accountId)}`;
}
