import type { Logger } from 'pino';
import { metrics, type Core, type EmailClaim, type QueueData, type WorkJob } from '../../core/index.ts';
import type { Mailer } from '../mailer.ts';
import { mentionEmail } from '../mention-email.ts';
import { batched } from '../batched.ts';

// A job holds the mention emails of one post. The core's claim (see email-deliveries.ts) makes a
// repeated job find its sent emails done, and an email held by another attempt (whose worker died
// mid-send, or whose job expired on a slow SMTP server) wait for that lease to lapse; two attempts never
// send one email at once. The jobs of a batch claim their emails together, and record their sends by
// group commit, so a burst costs a few statements per batch of jobs.

export interface SendEmailOptions {
  mailer: Mailer;
  leaseSeconds: number;
}

type SendEmailHandler = (job: WorkJob<QueueData['send-email']>, log: Logger) => Promise<void>;

export function sendEmailHandler(core: Core, options: SendEmailOptions): SendEmailHandler {
  const claim = batched((ids: readonly string[]) => core.notifications.claimEmailDeliveries(ids, options.leaseSeconds));
  const recordSent = batched(
    async (sent: readonly { deliveryId: string; claimToken: string }[]) => {
      await core.notifications.markEmailsSent(sent);
      return sent.map(() => true);
    },
    { groupCommit: true },
  );

  /** Sends one claimed email; a failure releases it for the next attempt (or gives it up on the last). */
  const send = async (deliveryId: string, claimed: EmailClaim, job: WorkJob<QueueData['send-email']>, log: Logger): Promise<void> => {
    if (claimed.kind === 'done') {
      log.info({ deliveryId, reason: claimed.reason }, 'email not sent');
      return;
    }
    if (claimed.kind === 'busy') return;
    const started = performance.now();
    let response: string;
    try {
      response = (await options.mailer.send(mentionEmail(claimed.email))).response;
    } catch (error) {
      metrics.emailsFailed.inc();
      const message = error instanceof Error ? error.message : String(error);
      await core.notifications.markEmailFailed(deliveryId, claimed.email.claimToken, message, job.lastAttempt);
      log.warn({ deliveryId, attempt: job.retryCount + 1, lastAttempt: job.lastAttempt, error: message }, job.lastAttempt ? 'email failed; giving up' : 'email failed; will retry');
      throw error;
    }
    await recordSent({ deliveryId, claimToken: claimed.email.claimToken });
    metrics.emailsSent.inc();
    log.info({ deliveryId, postUrl: claimed.email.postUrl, durationMs: Math.round(performance.now() - started), smtp: response.slice(0, 100) }, 'email sent');
  };

  return async (job, log) => {
    const ids = job.data.deliveryIds;
    const claims = await Promise.all(ids.map((id) => claim(id)));
    const settled = await Promise.allSettled(ids.map((id, i) => send(id, claims[i]!, job, log)));
    // The job fails (and its retry takes up every email not sent) if any email failed.
    const error = settled.find((r) => r.status === 'rejected');
    if (error) throw error.reason;
    // Emails another attempt holds are taken up by a job that starts when the last of their leases
    // lapses: not before (the holder may still be sending), and not a backoff's minutes after.
    const held = claims.flatMap((c, i) => (c.kind === 'busy' ? [{ id: ids[i]!, until: c.until }] : []));
    if (held.length) {
      const startAfter = new Date(Math.max(...held.map((h) => h.until.getTime())) + 1_000);
      await core.jobs.send('send-email', { deliveryIds: held.map((h) => h.id) }, { startAfter });
      log.info({ deliveryIds: held.map((h) => h.id), startAfter }, 'emails held by another attempt; taken up again when its lease lapses');
    }
  };
}
