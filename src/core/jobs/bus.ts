import { PgBoss, fromKysely, fromPglite, type JobWithMetadata } from 'pg-boss';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import type { EventName, EventPayloads, JobData } from '../events.ts';
import { DEAD_LETTER_RETENTION_SECONDS, QUEUES, QUEUE_NAMES, deadLetterQueue, type QueueDeclaration, type QueueData, type QueueName } from './queues.ts';
import { currentRequestId, runWithRequestId } from './request-context.ts';
import { metrics } from '../metrics.ts';
import { isConnectionError } from '../db/errors.ts';
import { reportThrottle } from '../report-throttle.ts';

// pg-boss wiring. Jobs live in the same database as the rows they concern and are written on the
// caller's transaction, so a committed post always has its jobs and a rolled-back one has none.
//
// Publishing reads the subscriptions and inserts the jobs through the caller's transaction only. On
// PGlite that is required, not just tidy: our transactions hold PGlite's exclusive lock, so anything
// pg-boss sent through its own connection from inside one would wait for the lock forever.

const SCHEMA = 'pgboss';

/** A job as a handler sees it. */
export interface WorkJob<T> {
  id: string;
  queue: QueueName;
  data: JobData<T>;
  /** The request id that caused it (or the job id when nothing did). */
  reqId: string;
  retryCount: number;
  retryLimit: number;
  /** True on the last attempt before the dead-letter queue. */
  lastAttempt: boolean;
  createdOn: Date;
}

export interface QueueCounts {
  queue: QueueName;
  description: string;
  waiting: number;
  active: number;
  failed: number;
  deadLetter: number;
  /** Seconds the oldest job ready to run has waited to start (0 when none waits). */
  oldestWaitingSeconds: number;
}

export interface JobFailure {
  queue: string;
  jobId: string;
  state: string;
  error: string;
  reqId: string | null;
  retryCount: number;
  at: Date;
}

export interface BusOptions {
  /** How often pg-boss expires stuck jobs and moves exhausted ones (tests make it short). */
  superviseIntervalSeconds?: number;
  /** Polling floor (and how soon a retry is noticed once its delay ends); LISTEN/NOTIFY wakes workers at once for new jobs. */
  pollingIntervalSeconds?: number;
  /** Per-queue policy changes (tests shorten expiry and retry delays). */
  queueOverrides?: Partial<Record<QueueName, Partial<QueueDeclaration>>>;
  /** Install or upgrade pg-boss's schema on start (default true). */
  migrate?: boolean;
  /**
   * Run the queue's maintenance (expiring stuck jobs, retention) and the cron schedules in this
   * process (default true). Only workers need them; web processes and one-shot commands turn them off.
   */
  maintenance?: boolean;
  /** This process's name in pg-boss's instance registry (`pipit-web`, `pipit-worker`, …). */
  instanceName?: string;
}

/**
 * How often a worker on PostgreSQL tells the database it still runs a job. A job whose worker went
 * silent (killed, machine gone) is failed and retried by the next supervision pass, instead of
 * waiting for its whole expiry. pg-boss's minimum is 10.
 */
export const HEARTBEAT_SECONDS = 10;
/**
 * How long a shutdown lets running jobs finish; what is still running then is failed and retried
 * later (handlers are idempotent). Within the CLI's shutdown bound (8 s after the drain).
 */
const JOB_FINISH_TIMEOUT_MS = 5_000;
/** Supervision on PostgreSQL, frequent enough that a lost heartbeat is noticed within ~20 s. */
const POSTGRES_SUPERVISE_SECONDS = 10;

/** A process in pg-boss's registry: what it is, and whether it runs maintenance and schedules. */
export interface JobProcess {
  name: string | null;
  host: string;
  pid: number;
  maintenance: boolean;
  schedules: boolean;
  live: boolean;
}

export type ProblemListener = (problem: { level: 'error' | 'warn'; message: string; err?: unknown; data?: unknown }) => void;

export type Bus = Awaited<ReturnType<typeof startBus>>;

/** Starts pg-boss on the core's database and declares every queue, its dead-letter queue and subscriptions. */
export async function startBus(handle: DatabaseHandle, config: Config, options: BusOptions = {}) {
  const policies = Object.fromEntries(QUEUE_NAMES.map((q) => [q, { ...QUEUES[q], ...options.queueOverrides?.[q] }])) as Record<QueueName, QueueDeclaration>;
  const maintenance = options.maintenance ?? true;
  const common = {
    schema: SCHEMA,
    useListenNotify: true,
    migrate: options.migrate ?? true,
    supervise: maintenance,
    schedule: maintenance,
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? (handle.pglite ? 60 : POSTGRES_SUPERVISE_SECONDS),
    monitorIntervalSeconds: options.superviseIntervalSeconds ?? 60,
    instanceName: options.instanceName ?? 'pipit',
    openTelemetry: { enabled: false },
  };
  const boss = handle.pglite
    ? new PgBoss({ ...common, db: fromPglite(handle.pglite), backend: 'pglite' })
    : new PgBoss({
        ...common,
        connectionString: config.databaseUrl!,
        max: 4,
        application_name: 'pipit-jobs',
        // Fail fast while the server is gone (pg-boss retries on its own), as our pool does.
        connectionTimeoutMillis: 3_000,
        // A connection left idle inside a transaction (a process frozen mid-job) must not hold locks forever.
        ...(config.databaseIdleInTransactionTimeoutMs ? { options: `-c idle_in_transaction_session_timeout=${config.databaseIdleInTransactionTimeoutMs}` } : {}),
      });

  let listeners: ProblemListener[] = [];
  // While the database is unreachable every poll of every queue fails alike: once per interval.
  const unreachable = reportThrottle();
  const report: ProblemListener = (unthrottled) => {
    let problem = unthrottled;
    if (isConnectionError(problem.err)) {
      const occurrences = unreachable();
      if (occurrences === undefined) return;
      problem = { ...problem, message: 'job queue: database unreachable', data: { occurrences } };
    }
    if (listeners.length === 0) {
      if (config.logLevel !== 'silent') process.stderr.write(`${JSON.stringify({ level: problem.level, msg: problem.message, err: String(problem.err ?? '') })}\n`);
      return;
    }
    for (const listener of listeners) listener(problem);
  };
  boss.on('error', (err) => report({ level: 'error', message: 'job queue error', err }));
  boss.on('warning', (warning) => report({ level: 'warn', message: `job queue: ${warning.message}`, data: warning.data }));

  await boss.start();
  for (const name of QUEUE_NAMES) {
    const p = policies[name];
    const dead = deadLetterQueue(name);
    if (!(await boss.getQueue(dead))) await boss.createQueue(dead, { retentionSeconds: DEAD_LETTER_RETENTION_SECONDS, deleteAfterSeconds: DEAD_LETTER_RETENTION_SECONDS });
    const queueOptions = {
      retryLimit: p.retryLimit,
      retryDelay: p.retryDelay,
      retryBackoff: true,
      retryDelayMax: p.retryDelayMax,
      expireInSeconds: p.expireInSeconds,
      deadLetter: dead,
      notify: true,
    };
    // Embedded, no other process can hold a job: the ones a dead process left are handed back at
    // start (handBackAbandoned) and a heartbeat would only cost writes.
    const heartbeatSeconds = handle.pglite ? null : HEARTBEAT_SECONDS;
    if (await boss.getQueue(name)) await boss.updateQueue(name, { ...queueOptions, heartbeatSeconds });
    else await boss.createQueue(name, heartbeatSeconds ? { ...queueOptions, heartbeatSeconds } : queueOptions);
    for (const event of p.events) await boss.subscribe(event, name);
  }
  const workers: { queue: QueueName; id: string }[] = [];
  let stopped = false;

  const toWorkJob = <T>(queue: QueueName, job: JobWithMetadata<JobData<T>>): WorkJob<T> => ({
    id: job.id,
    queue,
    data: job.data,
    reqId: job.data?.reqId ?? job.id,
    retryCount: job.retryCount,
    retryLimit: job.retryLimit,
    lastAttempt: job.retryCount >= job.retryLimit,
    createdOn: job.createdOn,
  });

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

    /** Runs `handler` for each job of `queue`, with the job's request id as the current one. */
    async work<Q extends QueueName>(queue: Q, handler: (job: WorkJob<QueueData[Q]>) => Promise<void>): Promise<void> {
      // Jobs are fetched in batches and run side by side, each settled on its own; a full batch makes
      // the worker fetch again at once (burst), so a backlog drains without waiting for a poll.
      const concurrency = policies[queue].concurrency;
      const loops = concurrency > 1 ? 2 : 1;
      const id = await boss.work<JobData<QueueData[Q]>>(
        queue,
        {
          includeMetadata: true,
          perJobResults: true,
          batchSize: Math.ceil(concurrency / loops),
          localConcurrency: loops,
          burstWhenBatchFull: true,
          pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
          // New jobs wake workers through NOTIFY; this poll is what picks up retries when their delay ends.
          notifyPollingIntervalSeconds: options.pollingIntervalSeconds ?? 5,
        },
        async (jobs) =>
          Promise.all(
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
          ),
      );
      workers.push({ queue, id });
    },

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

    /** The processes using the job queue (pg-boss's registry), with their roles. */
    async processes(): Promise<JobProcess[]> {
      const instances = await boss.getInstances();
      return instances.map((i) => ({ name: i.name, host: i.host, pid: i.pid, maintenance: i.supervise, schedules: i.schedule, live: i.live }));
    },

    /** Waiting, active, failed and dead-lettered jobs of every queue, counted now. */
    async overview(): Promise<QueueCounts[]> {
      const names = [...QUEUE_NAMES, ...QUEUE_NAMES.map(deadLetterQueue)];
      const { rows } = await sql<{ name: string; state: string; n: string }>`
        SELECT name, state::text AS state, count(*)::text AS n FROM ${sql.id(SCHEMA, 'job')}
        WHERE name IN (${sql.join(names)}) GROUP BY name, state`.execute(handleDb(handle));
      const { rows: oldest } = await sql<{ name: string; seconds: number }>`
        SELECT name, extract(epoch FROM now() - min(start_after))::float8 AS seconds FROM ${sql.id(SCHEMA, 'job')}
        WHERE name IN (${sql.join(QUEUE_NAMES)}) AND state = 'created' AND start_after <= now() GROUP BY name`.execute(handleDb(handle));
      const count = (name: string, states: string[]) =>
        rows.filter((r) => r.name === name && states.includes(r.state)).reduce((sum, r) => sum + Number(r.n), 0);
      return QUEUE_NAMES.map((queue) => ({
        queue,
        description: policies[queue].description,
        waiting: count(queue, ['created', 'retry']),
        active: count(queue, ['active']),
        failed: count(queue, ['failed']),
        deadLetter: count(deadLetterQueue(queue), ['created', 'retry', 'active']),
        oldestWaitingSeconds: Math.max(0, Number(oldest.find((r) => r.name === queue)?.seconds ?? 0)),
      }));
    },

    /** The most recent failed attempts (retrying or given up), newest first, with error and request id. */
    async recentFailures(limit = 20): Promise<JobFailure[]> {
      const { rows } = await sql<{ name: string; id: string; state: string; output: unknown; req_id: string | null; retry_count: number; at: Date }>`
        SELECT name, id::text AS id, state::text AS state, output, data->>'reqId' AS req_id, retry_count,
               coalesce(completed_on, started_on, created_on) AS at
        FROM ${sql.id(SCHEMA, 'job')}
        WHERE name IN (${sql.join(QUEUE_NAMES)}) AND output IS NOT NULL AND (state = 'failed' OR state = 'retry')
        ORDER BY at DESC LIMIT ${Math.min(Math.max(limit, 1), 200)}`.execute(handleDb(handle));
      return rows.map((r) => ({
        queue: r.name,
        jobId: r.id,
        state: r.state,
        error: errorText(r.output),
        reqId: r.req_id,
        retryCount: r.retry_count,
        at: new Date(r.at),
      }));
    },

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
    onProblem(listener: ProblemListener): () => void {
      listeners.push(listener);
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },

    /** Stops taking new jobs and waits (bounded) for running ones. */
    async stopWorkers(timeoutMs = JOB_FINISH_TIMEOUT_MS): Promise<void> {
      await Promise.race([
        Promise.all(workers.splice(0).map((w) => boss.offWork(w.queue, { id: w.id, wait: true }))),
        new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ]);
    },

    /** Stops pg-boss (and its pool on PostgreSQL); running jobs get `timeoutMs` to finish. */
    async stop(timeoutMs = JOB_FINISH_TIMEOUT_MS): Promise<void> {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}

function handleDb(handle: DatabaseHandle) {
  return handle.db;
}

function errorText(output: unknown): string {
  if (output && typeof output === 'object') {
    const o = output as { message?: unknown; name?: unknown; code?: unknown };
    if (typeof o.message === 'string') return o.message.slice(0, 500);
  }
  return JSON.stringify(output ?? null).slice(0, 500);
}
