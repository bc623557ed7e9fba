import { fromKysely } from 'pg-boss';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import type { EventName, EventPayloads, JobData } from '../events.ts';
import { QUEUES, QUEUE_NAMES, deadLetterQueue, type QueueDeclaration, type QueueData, type QueueName } from './queues.ts';
import { currentRequestId } from './request-context.ts';
import { JOB_FINISH_TIMEOUT_MS, SCHEMA } from './bus-constants.ts';
import type { BusOptions } from './bus-types.ts';
import { createBoss, declareQueues, routeProblems } from './boss.ts';
import { workers } from './workers.ts';
import { queueViews } from './queue-views.ts';

// pg-boss wiring. Jobs live in the same database as the rows they concern and are written on the
// caller's transaction, so a committed post always has its jobs and a rolled-back one has none.
//
// Publishing reads the subscriptions and inserts the jobs through the caller's transaction only. On
// PGlite that is required, not just tidy: our transactions hold PGlite's exclusive lock, so anything
// pg-boss sent through its own connection from inside one would wait for the lock forever.
//
// The parts: boss.ts makes pg-boss and declares the queues, workers.ts runs handlers, queue-views.ts
// reads counts and failures; this file assembles them with the producers' side (publish, enqueue).

export type Bus = Awaited<ReturnType<typeof startBus>>;

/** Starts pg-boss on the core's database and declares every queue, its dead-letter queue and subscriptions. */
export async function startBus(handle: DatabaseHandle, config: Config, options: BusOptions = {}) {
  const policies = Object.fromEntries(QUEUE_NAMES.map((q) => [q, { ...QUEUES[q], ...options.queueOverrides?.[q] }])) as Record<QueueName, QueueDeclaration>;
  const boss = createBoss(handle, config, options);
  const problems = routeProblems(boss, config);
  await boss.start();
  await declareQueues(boss, handle, policies);
  const handlers = workers(boss, policies, options);
  const views = queueViews(boss, handle, policies);
  let stopped = false;

  return {
    /** The policy in force for a queue. */
    policy(queue: QueueName): QueueDeclaration {
      return policies[queue];
    },

    /** Publishes an event on `trx`: one job in every subscribed queue, committed (or not) with `trx`. */
    async publish<E extends EventName>(trx: Transaction<Database>, event: E, payload: EventPayloads[E]): Promise<void> {
      const { rows } = await sql<{ name: string }>`SELECT name FROM ${sql.id(SCHEMA, 'subscription')} WHERE event = ${event}`.execute(trx);
      const data = { ...payload, reqId: currentRequestId() };
      for (const { name } of rows) await boss.send(name, data, { db: fromKysely(trx) });
    },

    /**
     * Subscribes a further queue to an event (creating it if need be): the way to add a consumer
     * without touching any producer. Going through pg-boss keeps its queue cache warm, which publishing
     * inside a PGlite transaction relies on.
     */
    async subscribe(event: EventName, queue: string): Promise<void> {
      if (!(await boss.getQueue(queue))) await boss.createQueue(queue, { notify: true });
      await boss.subscribe(event, queue);
    },

    /** Adds a job to one queue on `trx`. */
    async enqueue<Q extends QueueName>(trx: Transaction<Database>, queue: Q, data: QueueData[Q], options: { singletonKey?: string } = {}): Promise<void> {
      await boss.send(queue, { ...data, reqId: currentRequestId() }, { db: fromKysely(trx), ...options });
    },

    /**
     * Adds several jobs to one queue on `trx` in a single statement (one round trip, one NOTIFY). Each
     * carries the current request id unless it names its own (jobs made for several requests at once).
     */
    async enqueueMany<Q extends QueueName>(trx: Transaction<Database>, queue: Q, items: readonly JobData<QueueData[Q]>[]): Promise<void> {
      if (items.length === 0) return;
      const reqId = currentRequestId();
      await boss.insert(queue, items.map((data) => ({ data: { reqId, ...data } })), { db: fromKysely(trx) });
    },

    /** Adds a job outside any transaction (the terminal, schedules, a job resuming later). */
    async send<Q extends QueueName>(queue: Q, data: QueueData[Q], options: { startAfter?: Date } = {}): Promise<string | null> {
      return boss.send(queue, { ...data, reqId: currentRequestId() }, options);
    },

    work: handlers.work,

    /** A cron schedule (UTC) for a queue; one job per slot whatever the number of workers. */
    async schedule<Q extends QueueName>(queue: Q, cron: string, data: QueueData[Q]): Promise<void> {
      await boss.schedule(queue, cron, data, { tz: 'UTC' });
    },

    /** The cron schedules registered in the database (by any worker), one per queue. */
    async schedules(): Promise<{ queue: string; cron: string; timezone: string }[]> {
      return (await boss.getSchedules()).map((s) => ({ queue: s.name, cron: s.cron, timezone: s.timezone }));
    },

    /**
     * Embedded mode only, at start: the jobs a previous process left active (it was killed) go back to
     * their queues at once, counted as a failed attempt (so a job that keeps killing its process still
     * ends in the dead-letter queue), instead of waiting for their expiry. Nothing else can hold them:
     * the embedded database belongs to this process. Returns how many were handed back.
     */
    async handBackAbandoned(): Promise<number> {
      if (!handle.pglite) return 0;
      const { rows } = await sql<{ name: string; id: string }>`
        SELECT name, id::text AS id FROM ${sql.id(SCHEMA, 'job')} WHERE state = 'active' AND name IN (${sql.join(QUEUE_NAMES)})`.execute(handle.db);
      const byQueue = new Map<string, string[]>();
      for (const { name, id } of rows) byQueue.set(name, [...(byQueue.get(name) ?? []), id]);
      for (const [name, ids] of byQueue) {
        await boss.fail(name, ids, { message: 'the process running this job stopped; handed back at start' });
        // Its retry is due now, not after the queue's backoff: the attempt never failed on its own.
        for (const id of ids) await boss.update(name, undefined, { id, startAfter: new Date() });
      }
      return rows.length;
    },

    processes: views.processes,
    overview: views.overview,
    recentFailures: views.recentFailures,

    /** Sends dead-lettered jobs back to their queue (all queues, or one). Returns how many moved. */
    async retryDeadLetters(queue?: QueueName): Promise<number> {
      let moved = 0;
      for (const name of queue ? [queue] : QUEUE_NAMES) {
        for (;;) {
          const n = await boss.redrive(deadLetterQueue(name), { limit: 1000 });
          moved += n;
          if (n < 1000) break;
        }
      }
      return moved;
    },

    /** Reports queue errors and warnings to `listener` (the worker's and web's loggers). */
    onProblem: problems.onProblem,

    stopWorkers: handlers.stopWorkers,

    /** Stops pg-boss (and its pool on PostgreSQL); running jobs get `timeoutMs` to finish. */
    async stop(timeoutMs = JOB_FINISH_TIMEOUT_MS): Promise<void> {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}
