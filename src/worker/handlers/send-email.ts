import type { Logger } from 'pino';
import type { Core, QueueData, WorkJob } from '../../core/index.ts';
import type { Mailer } from '../mailer.ts';
import { mentionEmail } from '../mention-email.ts';

// Exactly one email per mention, although jobs are delivered at least once: the delivery row is
// claimed (with a lease longer than any SMTP conversation) before talking to the server and marked
// sent the moment the server accepts. A repeated job finds it sent; a job whose worker died mid-send
// waits for the lease to lapse and sends then; two attempts never send at once.

export class EmailBusy extends Error {
  override name = 'EmailBusy';
}

export interface SendEmailOptions {
  mailer: Mailer;
  leaseSeconds: number;
}

export async function sendEmailHandler(core: Core, job: WorkJob<QueueData['send-email']>, log: Logger, options: SendEmailOptions): Promise<void> {
  const { deliveryId } = job.data;
  const claim = await core.notifications.claimEmailDelivery(deliveryId, options.leaseSeconds);
  if (claim.kind === 'done') {
    log.info({ deliveryId, reason: claim.reason }, 'email not sent');
    return;
  }
  if (claim.kind === 'busy') {
    // Another attempt holds it (a slow SMTP server made this job expire and come back): try later.
    throw new EmailBusy(`email ${deliveryId} is being sent by another attempt (lease until ${claim.until.toISOString()})`);
  }
  const started = performance.now();
  let response: string;
  try {
    response = (await options.mailer.send(mentionEmail(claim.email))).response;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await core.notifications.markEmailFailed(deliveryId, claim.email.claimToken, message, job.lastAttempt);
    log.warn({ deliveryId, attempt: job.retryCount + 1, lastAttempt: job.lastAttempt, error: message }, job.lastAttempt ? 'email failed; giving up' : 'email failed; will retry');
    throw error;
  }
  await core.notifications.markEmailSent(deliveryId, claim.email.claimToken);
  log.info({ deliveryId, postUrl: claim.email.postUrl, durationMs: Math.round(performance.now() - started), smtp: response.slice(0, 100) }, 'email sent');
}
