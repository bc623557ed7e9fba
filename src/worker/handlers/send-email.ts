import type { Logger } from 'pino';
import { metrics, type Core, type EmailClaim, type QueueData, type WorkJob } from '../../core/index.ts';
import type { Mailer } from '../mailer.ts';
import { mentionEmail } from '../mention-email.ts';
import { batched } from '../batched.ts';

// A job holds the mention emails of one post. The core's claim (see email-deliveries.ts) makes a
// repeated job find its sent emails done, and a job whose worker died mid-send wait for the lease to
// lapse; two attempts never send one email at once. The jobs of a batch claim their emails together,
// and record their sends by group commit, so a burst costs a few statements per batch of jobs.

export class EmailBusy extends Error {
  override name = 'EmailBusy';
}

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
    if (claimed.kind === 'busy') {
      // Another attempt holds it (a slow SMTP server made this job expire and come back): try later.
      throw new EmailBusy(`email ${deliveryId} is being sent by another attempt (lease until ${claimed.until.toISOString()})`);
    }
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
    // The job fails (and retries only what is not sent) if any email failed; a real failure outranks "busy".
    const errors = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length) throw errors.find((e) => !(e instanceof EmailBusy)) ?? errors[0];
  };
}
