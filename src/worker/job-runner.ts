import type { Logger } from 'pino';
import type { Core, QueueData, QueueName, WorkJob } from '../core/index.ts';

/** A queue's handler as the worker writes it: that queue's jobs, and a logger carrying the job's request id. */
export type LoggedJobHandler<Q extends QueueName> = (job: WorkJob<QueueData[Q]>, log: Logger) => Promise<void>;

/**
 * Returns `run(queue, handler)`, which starts a handler on its queue with one log line at the start and
 * end of every job, each carrying the request id that caused it. Typed per queue: a handler written for
 * another queue's jobs does not type-check.
 */
export function jobRunner(core: Core, logger: Logger) {
  return <Q extends QueueName>(queue: Q, handler: LoggedJobHandler<Q>) =>
    core.jobs.work(queue, async (job) => {
      const log = logger.child({ reqId: job.reqId, queue, jobId: job.id });
      const started = performance.now();
      log.debug({ attempt: job.retryCount + 1 }, 'job started');
      try {
        await handler(job, log);
        log.info({ durationMs: Math.round(performance.now() - started) }, 'job completed');
      } catch (error) {
        log[job.lastAttempt ? 'error' : 'warn'](
          { err: error, attempt: job.retryCount + 1, retryLimit: job.retryLimit, durationMs: Math.round(performance.now() - started) },
          job.lastAttempt ? 'job failed; moved to the dead-letter queue' : 'job failed; will retry',
        );
        throw error;
      }
    });
}
