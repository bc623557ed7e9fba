import type { JobWithMetadata, PgBoss } from 'pg-boss';
import type { JobData } from '../events.ts';
import { metrics } from '../metrics.ts';
import { JOB_FINISH_TIMEOUT_MS } from './bus-constants.ts';
import type { BusOptions, WorkJob } from './bus-types.ts';
import type { QueueData, QueueDeclaration, QueueName } from './queues.ts';
import { runWithRequestId } from './request-context.ts';

// The handlers' side of the queue: each handler gets typed jobs of its own queue, with the job's
// request id as the current one, and its outcome is counted in the metrics.

function toWorkJob<T>(queue: QueueName, job: JobWithMetadata<JobData<T>>): WorkJob<T> {
  return {
    id: job.id,
    queue,
    data: job.data,
    reqId: job.data?.reqId ?? job.id,
    retryCount: job.retryCount,
    retryLimit: job.retryLimit,
    lastAttempt: job.retryCount >= job.retryLimit,
    createdOn: job.createdOn,
  };
}

/** What a handler of queue `Q` is: it takes that queue's jobs and no other's. */
export type JobHandler<Q extends QueueName> = (job: WorkJob<QueueData[Q]>) => Promise<void>;

/** Has every fetch loop of the `work` call `workId` fetch again at once rather than after its poll. */
function wakeLoops(boss: PgBoss, workId: string): void {
  for (const loop of boss.getWipData({ includeInternal: false })) if (loop.workId === workId) boss.notifyWorker(loop.id);
}

/** `work` and `stopWorkers` on a started boss. */
export function workers(boss: PgBoss, policies: Record<QueueName, QueueDeclaration>, options: BusOptions) {
  const running: { queue: QueueName; id: string }[] = [];
  return {
    /** Runs `handler` for each job of `queue`, with the job's request id as the current one. */
    async work<Q extends QueueName>(queue: Q, handler: JobHandler<Q>): Promise<void> {
      // Jobs are fetched in batches and run side by side, each settled on its own; a full batch makes
      // the worker fetch again at once (burst), so a backlog drains without waiting for a poll.
      const concurrency = policies[queue].concurrency;
      const loops = concurrency > 1 ? 2 : 1;
      const batchSize = Math.ceil(concurrency / loops);
      const id = await boss.work<JobData<QueueData[Q]>>(
        queue,
        {
          includeMetadata: true,
          perJobResults: true,
          batchSize,
          localConcurrency: loops,
          burstWhenBatchFull: true,
          pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
          // New jobs wake workers through NOTIFY; this poll is what picks up retries when their delay ends.
          notifyPollingIntervalSeconds: options.pollingIntervalSeconds ?? 5,
        },
        async (jobs) => {
          const results = await Promise.all(
            jobs.map(async (job) => {
              const workJob = toWorkJob<QueueData[Q]>(queue, job as JobWithMetadata<JobData<QueueData[Q]>>);
              const endTimer = metrics.jobDuration.startTimer({ queue });
              try {
                await runWithRequestId(workJob.reqId, () => handler(workJob));
                metrics.jobsCompleted.inc({ queue });
                return { id: job.id, status: 'completed' as const };
              } catch (error) {
                (workJob.lastAttempt ? metrics.jobsDeadLettered : metrics.jobsRetried).inc({ queue });
                const e = error instanceof Error ? error : new Error(String(error));
                return { id: job.id, status: 'failed' as const, output: { name: e.name, message: e.message } };
              } finally {
                endTimer();
              }
            }),
          );
          // pg-boss bursts (fetches again at once) after a full batch only when a batch holds more than
          // one job; a one-job loop (the slow media queues) would otherwise wait out its poll with a
          // backlog waiting, as a new job's NOTIFY wakes only loops that are idle. Its loops are woken
          // instead: a fetch that finds nothing returns them to polling.
          if (batchSize === 1 && jobs.length === 1) wakeLoops(boss, id);
          return results;
        },
      );
      running.push({ queue, id });
    },

    /** Stops taking new jobs and waits (bounded) for running ones. */
    async stopWorkers(timeoutMs = JOB_FINISH_TIMEOUT_MS): Promise<void> {
      await Promise.race([
        Promise.all(running.splice(0).map((w) => boss.offWork(w.queue, { id: w.id, wait: true }))),
        new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ]);
    },
  };
}
