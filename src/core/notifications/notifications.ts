import { toAccount, type Account } from '../accounts/account-view.ts';
import type { CoreContext } from '../context.ts';
import { NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { pageBounds, type PageRequest } from '../posts/page.ts';
import { selectPosts, toPost, type Post } from '../posts/post-view.ts';
import { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';

export interface Notification {
  id: string;
  type: 'mention';
  createdAt: Date;
  readAt: Date | null;
  from: Account;
  post: Post;
}

/**
 * `notify-mentions`: for each account a post mentions (not its author), an in-app notification and,
 * when the account wants email, a delivery row and its `send-email` job — all in one transaction.
 * Repeating it is harmless: existing rows are kept and no second email job is made.
 */
export async function notifyMentions(ctx: CoreContext, postId: string): Promise<{ notified: number; emails: number }> {
  return ctx.db.transaction().execute(async (trx) => {
    const post = await trx.selectFrom('statuses').select(['id', 'account_id']).where('id', '=', postId).executeTakeFirst();
    if (!post) return { notified: 0, emails: 0 }; // deleted before we got to it
    const mentioned = await trx
      .selectFrom('mentions as m')
      .innerJoin('accounts as a', 'a.id', 'm.account_id')
      .select(['a.id', 'a.email_notifications'])
      .where('m.status_id', '=', postId)
      .where('m.account_id', '<>', post.account_id)
      .execute();
    if (mentioned.length === 0) return { notified: 0, emails: 0 };
    const notified = await trx
      .insertInto('notifications')
      .values(mentioned.map((m) => ({ account_id: m.id, type: 'mention' as const, from_account_id: post.account_id, status_id: postId })))
      .onConflict((oc) => oc.columns(['account_id', 'type', 'status_id']).doNothing())
      .returning('id')
      .execute();
    const wantEmail = mentioned.filter((m) => m.email_notifications);
    const deliveries = wantEmail.length
      ? await trx
          .insertInto('email_deliveries')
          .values(wantEmail.map((m) => ({ kind: 'mention' as const, status_id: postId, account_id: m.id })))
          .onConflict((oc) => oc.columns(['kind', 'status_id', 'account_id']).doNothing())
          .returning('id')
          .execute()
      : [];
    await ctx.bus.enqueueMany(trx, 'send-email', deliveries.map((d) => ({ deliveryId: d.id })));
    return { notified: notified.length, emails: deliveries.length };
  });
}

/** What the mailer needs to write a mention email. */
export interface MentionEmail {
  deliveryId: string;
  /** Proves this attempt holds the delivery; pass it back to markEmailSent / markEmailFailed. */
  claimToken: string;
  to: string;
  recipient: { username: string; displayName: string };
  author: { username: string; displayName: string };
  postText: string;
  postUrl: string;
  unsubscribeUrl: string;
  /** The same for every attempt, so a receiving system can recognise a repeat. */
  messageId: string;
}

export type EmailClaim =
  | { kind: 'send'; email: MentionEmail }
  /** Already sent, or nothing to send any more (post deleted, emails turned off). */
  | { kind: 'done'; reason: string }
  /** Another attempt holds it and may be talking to the SMTP server right now. */
  | { kind: 'busy'; until: Date };

/**
 * Claims an email before sending it: only one attempt at a time holds a delivery (for `leaseSeconds`,
 * longer than any SMTP conversation may take), and a sent one is never claimed again. A post deleted
 * (or a setting turned off) before the email went out cancels it.
 */
export async function claimEmailDelivery(ctx: CoreContext, deliveryId: string, leaseSeconds: number): Promise<EmailClaim> {
  if (!isId(deliveryId)) return { kind: 'done', reason: 'no such delivery' };
  const claimToken = crypto.randomUUID();
  return ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('email_deliveries')
      .set((eb) => ({
        state: 'sending',
        claim_token: claimToken,
        lease_until: new Date(Date.now() + leaseSeconds * 1000),
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', '=', deliveryId)
      .where((eb) => eb.or([eb('state', 'in', ['pending', 'failed']), eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', new Date())])]))
      .returning(['id', 'status_id', 'account_id'])
      .executeTakeFirst();
    if (!claimed) {
      const row = await trx.selectFrom('email_deliveries').select(['state', 'lease_until']).where('id', '=', deliveryId).executeTakeFirst();
      if (!row) return { kind: 'done', reason: 'no such delivery' };
      if (row.state === 'sending') return { kind: 'busy', until: row.lease_until ?? new Date() };
      return { kind: 'done', reason: `already ${row.state}` };
    }
    const cancel = async (reason: string): Promise<EmailClaim> => {
      await trx.updateTable('email_deliveries').set({ state: 'cancelled', claim_token: null, lease_until: null }).where('id', '=', deliveryId).execute();
      return { kind: 'done', reason };
    };
    const postRow = await selectPosts(trx).where('s.id', '=', claimed.status_id).executeTakeFirst();
    if (!postRow) return cancel('post deleted');
    const recipient = await trx
      .selectFrom('accounts')
      .select(['username', 'display_name', 'email', 'email_notifications'])
      .where('id', '=', claimed.account_id)
      .executeTakeFirst();
    if (!recipient) return cancel('recipient gone');
    if (!recipient.email_notifications) return cancel('email notifications turned off');
    const post = toPost(postRow);
    const base = ctx.config.publicUrl;
    return {
      kind: 'send',
      email: {
        deliveryId,
        claimToken,
        to: recipient.email,
        recipient: { username: recipient.username, displayName: recipient.display_name },
        author: { username: post.account.username, displayName: post.account.displayName },
        postText: post.text,
        postUrl: `${base}/@${post.account.username}/${post.id}`,
        unsubscribeUrl: `${base}/unsubscribe/${unsubscribeToken(ctx.config.secretKey, claimed.account_id)}`,
        messageId: `<mention-${deliveryId}@${ctx.localHost.replace(/:\d+$/, '')}>`,
      },
    };
  });
}

/** Records that the SMTP server accepted the email. Done right after its answer, outside any job transaction. */
export async function markEmailSent(ctx: CoreContext, deliveryId: string, claimToken: string): Promise<void> {
  await ctx.db
    .updateTable('email_deliveries')
    .set({ state: 'sent', sent_at: new Date(), lease_until: null, last_error: null })
    .where('id', '=', deliveryId)
    .where('claim_token', '=', claimToken)
    .execute();
}

/** Releases a failed attempt: `final` gives up (the job goes to the dead-letter queue), else it may be claimed again. */
export async function markEmailFailed(ctx: CoreContext, deliveryId: string, claimToken: string, error: string, final: boolean): Promise<void> {
  await ctx.db
    .updateTable('email_deliveries')
    .set({ state: final ? 'failed' : 'pending', lease_until: null, last_error: error.slice(0, 2000), failed_at: final ? new Date() : null })
    .where('id', '=', deliveryId)
    .where('claim_token', '=', claimToken)
    .where('state', '=', 'sending')
    .execute();
}

export interface EmailDeliveryRow {
  id: string;
  statusId: string;
  accountId: string;
  state: string;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

/** The email deliveries of a post (tests, the terminal). */
export async function emailDeliveriesOfPost(ctx: CoreContext, postId: string): Promise<EmailDeliveryRow[]> {
  if (!isId(postId)) return [];
  const rows = await ctx.db.selectFrom('email_deliveries').selectAll().where('status_id', '=', postId).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, statusId: r.status_id, accountId: r.account_id, state: r.state, attempts: r.attempts, lastError: r.last_error, sentAt: r.sent_at }));
}

/** A page of an account's notifications, newest first. */
export async function listNotifications(ctx: CoreContext, accountId: string, page: PageRequest = {}): Promise<Notification[]> {
  const bounds = pageBounds(page);
  let query = ctx.db
    .selectFrom('notifications as n')
    .innerJoin('accounts as f', 'f.id', 'n.from_account_id')
    .select([
      'n.id', 'n.type', 'n.created_at', 'n.read_at', 'n.status_id',
      'f.id as f_id', 'f.username as f_username', 'f.display_name as f_display_name', 'f.note as f_note', 'f.is_admin as f_is_admin',
      'f.locked as f_locked', 'f.bot as f_bot', 'f.statuses_count as f_statuses_count', 'f.followers_count as f_followers_count',
      'f.following_count as f_following_count', 'f.last_status_at as f_last_status_at', 'f.created_at as f_created_at',
    ])
    .where('n.account_id', '=', accountId)
    .orderBy('n.id', 'desc')
    .limit(bounds.limit);
  if (bounds.maxId) query = query.where('n.id', '<', bounds.maxId);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const posts = await selectPosts(ctx.db).where('s.id', 'in', rows.map((r) => r.status_id)).execute();
  const byId = new Map(posts.map((p) => [p.id, toPost(p)]));
  return rows.flatMap((r) => {
    const post = byId.get(r.status_id);
    if (!post) return [];
    const from = toAccount({
      id: r.f_id, username: r.f_username, display_name: r.f_display_name, note: r.f_note, is_admin: r.f_is_admin, locked: r.f_locked,
      bot: r.f_bot, statuses_count: r.f_statuses_count, followers_count: r.f_followers_count, following_count: r.f_following_count,
      last_status_at: r.f_last_status_at, created_at: r.f_created_at,
    });
    return [{ id: r.id, type: r.type, createdAt: r.created_at, readAt: r.read_at, from, post }];
  });
}

/** How many notifications the account has not seen yet. */
export async function countUnreadNotifications(ctx: CoreContext, accountId: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('account_id', '=', accountId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks every notification of the account as read (after the page showed them). */
export async function markNotificationsRead(ctx: CoreContext, accountId: string): Promise<void> {
  await ctx.db.updateTable('notifications').set({ read_at: new Date() }).where('account_id', '=', accountId).where('read_at', 'is', null).execute();
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
