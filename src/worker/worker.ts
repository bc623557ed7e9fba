import pino, { type Logger } from 'pino';
import { QUEUE_NAMES, type Core, type QueueName } from '../core/index.ts';
import { jobRunner } from './job-runner.ts';
import { cleanupHandler } from './handlers/cleanup.ts';
import { dailyStatsHandler } from './handlers/daily-stats.ts';
import { notifyMentionsHandler } from './handlers/notify-mentions.ts';
import { notifyFavouriteHandler, notifyFollowHandler, notifyReblogHandler, notifyUpdateHandler } from './handlers/notify-interactions.ts';
import { sendEmailHandler } from './handlers/send-email.ts';
import { mediaImageHandler, mediaProbeHandler, mediaThumbnailHandler, mediaVideoHandler } from './handlers/media.ts';
import { createMailer, smtpTimeouts, type Mailer, type MailerOptions } from './mailer.ts';

// The task manager: a handler per queue and the schedules. Any number of these may run, on any
// number of machines (PostgreSQL); pg-boss hands each job to one of them at a time.

/** When expired sessions, rate-limit windows and unused media are removed: every hour (cron, UTC), off the round minute. */
const CLEANUP_CRON = '17 * * * *';

export interface WorkerOptions {
  /** Where log lines go; default a pino logger on stdout at LOG_LEVEL. */
  logger?: Logger;
  /** The mailer (default: from SMTP_URL, or .eml files). */
  mailer?: Mailer;
  mailerOptions?: MailerOptions;
  /** How long an attempt holds an email it is sending (default: the SMTP timeouts plus a margin). */
  emailLeaseSeconds?: number;
  /** Register the cron schedules (default true); a schedule only where its queue is taken. */
  schedules?: boolean;
  /** The queues this worker takes (default the configuration's WORKER_QUEUES: all unless it names some). */
  queues?: readonly QueueName[];
}

export interface RunningWorker {
  readonly logger: Logger;
  /** Stops taking jobs and lets running ones finish (bounded). Does not close the core. */
  stop(): Promise<void>;
}

/** Makes the pino logger the worker writes with when none is given. */
export function workerLogger(core: Core): Logger {
  return pino({ level: core.config.logLevel, base: { pid: process.pid, proc: 'worker' } });
}

/** Starts the handler of each queue this worker takes, and the schedules of those queues. */
export async function startWorker(core: Core, options: WorkerOptions = {}): Promise<RunningWorker> {
  const logger = options.logger ?? workerLogger(core);
  const mailer = options.mailer ?? createMailer(core.config, options.mailerOptions);
  const timeouts = smtpTimeouts(core.config, options.mailerOptions);
  // Connecting and greeting, then the silence allowed, plus a margin for the claim and the marking-sent
  // around the conversation: only after that may another attempt take a delivery caught mid-send.
  const leaseSeconds = options.emailLeaseSeconds ?? Math.ceil((2 * timeouts.connectionTimeoutMs + timeouts.socketTimeoutMs) / 1000) + 10;
  const stopReporting = core.jobs.onProblem((p) => logger[p.level]({ err: p.err, data: p.data }, p.message));

  // WORKER_QUEUES: a queue not taken here gets no handler, so its jobs wait for a worker that takes it
  // (e.g. video transcoding on machines of their own).
  const taken = new Set(options.queues ?? core.config.workerQueues);
  if (core.databaseKind === 'pglite' && taken.size < QUEUE_NAMES.length) {
    // The embedded database belongs to this one process: no other worker can take the rest.
    logger.warn({ queues: [...taken] }, 'WORKER_QUEUES leaves queues untaken, and on the embedded database no other worker can take them: their jobs will wait');
  }
  const runner = jobRunner(core, logger);
  const run: typeof runner = async (queue, handler) => {
    if (taken.has(queue)) await runner(queue, handler);
  };

  await run('notify-mentions', notifyMentionsHandler(core));
  await run('notify-follow', notifyFollowHandler(core));
  await run('notify-favourite', notifyFavouriteHandler(core));
  await run('notify-reblog', notifyReblogHandler(core));
  await run('notify-update', notifyUpdateHandler(core));
  await run('send-email', sendEmailHandler(core, { mailer, leaseSeconds }));
  await run('media-probe', mediaProbeHandler(core));
  await run('media-image', mediaImageHandler(core));
  await run('media-video', mediaVideoHandler(core));
  await run('media-thumbnail', mediaThumbnailHandler(core));
  await run('daily-stats', (job, log) => dailyStatsHandler(core, job, log));
  await run('cleanup', (_job, log) => cleanupHandler(core, log));
  if (options.schedules ?? true) {
    // A schedule only where its queue is taken: its jobs would otherwise wait for another worker anyway,
    // and a worker that takes neither (a video box) needs no say in when they run.
    if (taken.has('daily-stats')) await core.jobs.schedule('daily-stats', core.config.statsCron, {});
    if (taken.has('cleanup')) await core.jobs.schedule('cleanup', CLEANUP_CRON, {});
  }
  logger.info({ queues: [...taken], mail: mailer.target, statsCron: core.config.statsCron, database: core.databaseKind }, 'Pipit worker is running');

  return {
    logger,
    async stop() {
      await core.jobs.stopWorkers();
      stopReporting();
      mailer.close();
    },
  };
}
