import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { isId } from '../domain/ids.ts';
import { visibleToAccountExpr } from '../posts/visibility.ts';
import { postUrl } from '../urls.ts';
import { unsubscribeUrl } from './notifications.ts';

// Exactly one email per delivery row, although jobs are delivered at least once: an attempt claims
// the row (with a lease longer than any SMTP conversation) before talking to the server and marks it
// sent the moment the server accepts. A sent row is never claimed again; a claimed one is not claimed
// by a second attempt until its lease lapses (its worker died mid-send).
//
// The worker claims and marks whole batches at once: under a burst, one statement serves every email
// of a batch, which is what lets one worker keep up with posting.

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
 * Claims emails before sending them, one statement for the lot; the answer is in the order of
 * `deliveryIds`. Only one attempt at a time holds a delivery (for `leaseSeconds`), and a sent one is
 * never handed out again — nor twice in one call. A post deleted (or a setting turned off) before the
 * email went out cancels it.
 */
export async function claimEmailDeliveries(ctx: CoreContext, deliveryIds: readonly string[], leaseSeconds: number): Promise<EmailClaim[]> {
  const ids = [...new Set(deliveryIds.filter(isId))];
  const claimToken = crypto.randomUUID();
  const now = new Date();
  const claimed = ids.length
    ? await ctx.db
        .with('claimed', (db) =>
          db
            .updateTable('email_deliveries')
            .set((eb) => ({ state: 'sending', claim_token: claimToken, lease_until: new Date(now.getTime() + leaseSeconds * 1000), attempts: eb('attempts', '+', 1) }))
            .where('id', 'in', ids)
            .where((eb) => eb.or([eb('state', 'in', ['pending', 'failed']), eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', now)])]))
            .returning(['id', 'status_id', 'account_id']),
        )
        .selectFrom('claimed as c')
        .leftJoin('statuses as s', 's.id', 'c.status_id')
        .leftJoin('accounts as author', 'author.id', 's.account_id')
        .leftJoin('accounts as r', 'r.id', 'c.account_id')
        .select([
          'c.id', 'c.account_id', 's.id as post_id', 's.text', 'author.username as author_username', 'author.display_name as author_display_name',
          'r.username', 'r.display_name', 'r.email', 'r.email_notifications',
          // The recipient must (still) be allowed to see the post: the one visibility rule, per row.
          visibleToAccountExpr(sql.ref<string>('c.account_id'), 's').as('visible'),
        ])
        .execute()
    : [];

  const answers = new Map<string, EmailClaim>();
  const cancelled: string[] = [];
  const base = ctx.config.publicUrl;
  for (const row of claimed) {
    const reason = !row.post_id
      ? 'post deleted'
      : !row.email
        ? 'recipient gone'
        : !row.email_notifications
          ? 'email notifications turned off'
          : !row.visible
            ? 'post not visible to the recipient'
            : null;
    if (reason) {
      cancelled.push(row.id);
      answers.set(row.id, { kind: 'done', reason });
      continue;
    }
    answers.set(row.id, {
      kind: 'send',
      email: {
        deliveryId: row.id,
        claimToken,
        to: row.email!,
        recipient: { username: row.username!, displayName: row.display_name! },
        author: { username: row.author_username!, displayName: row.author_display_name! },
        postText: row.text!,
        postUrl: postUrl(base, row.author_username!, row.post_id!),
        unsubscribeUrl: unsubscribeUrl(ctx, row.account_id),
        messageId: `<mention-${row.id}@${ctx.localHost.replace(/:\d+$/, '')}>`,
      },
    });
  }
  if (cancelled.length) {
    await ctx.db
      .updateTable('email_deliveries')
      .set({ state: 'cancelled', claim_token: null, lease_until: null })
      .where('id', 'in', cancelled)
      .where('claim_token', '=', claimToken)
      .execute();
  }
  // Why the rest could not be claimed (rare: repeats and races), in one more statement.
  const unclaimed = ids.filter((id) => !answers.has(id));
  if (unclaimed.length) {
    const rows = await ctx.db.selectFrom('email_deliveries').select(['id', 'state', 'lease_until']).where('id', 'in', unclaimed).execute();
    for (const row of rows) {
      answers.set(row.id, row.state === 'sending' ? { kind: 'busy', until: row.lease_until ?? now } : { kind: 'done', reason: `already ${row.state}` });
    }
  }

  const handedOut = new Set<string>();
  return deliveryIds.map((id) => {
    const answer = answers.get(id) ?? { kind: 'done', reason: 'no such delivery' };
    if (answer.kind !== 'send') return answer;
    // The same id twice in one call: the first holds it, the second must not send it again.
    if (handedOut.has(id)) return { kind: 'busy', until: new Date(now.getTime() + leaseSeconds * 1000) };
    handedOut.add(id);
    return answer;
  });
}

/** Claims one email (see claimEmailDeliveries). */
export async function claimEmailDelivery(ctx: CoreContext, deliveryId: string, leaseSeconds: number): Promise<EmailClaim> {
  return (await claimEmailDeliveries(ctx, [deliveryId], leaseSeconds))[0]!;
}

/** Records that the SMTP server accepted these emails (one statement); each must still be held by its claim. */
export async function markEmailsSent(ctx: CoreContext, sent: readonly { deliveryId: string; claimToken: string }[]): Promise<void> {
  if (sent.length === 0) return;
  await ctx.db
    .updateTable('email_deliveries')
    .set({ state: 'sent', sent_at: new Date(), lease_until: null, last_error: null })
    .where((eb) => eb.or(sent.map((s) => eb.and([eb('id', '=', s.deliveryId), eb('claim_token', '=', s.claimToken)]))))
    .execute();
}

/** Records that the SMTP server accepted one email. */
export async function markEmailSent(ctx: CoreContext, deliveryId: string, claimToken: string): Promise<void> {
  await markEmailsSent(ctx, [{ deliveryId, claimToken }]);
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
