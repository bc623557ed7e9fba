import { PgBoss, fromPglite } from 'pg-boss';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connection.ts';
import { isConnectionError } from '../db/errors.ts';
import { reportThrottle } from '../report-throttle.ts';
import { HEARTBEAT_SECONDS, POSTGRES_SUPERVISE_SECONDS, SCHEMA } from './bus-constants.ts';
import type { BusOptions, ProblemListener } from './bus-types.ts';
import { DEAD_LETTER_RETENTION_SECONDS, QUEUE_NAMES, deadLetterQueue, type QueueDeclaration, type QueueName } from './queues.ts';

// Making pg-boss: its instance on the core's database (PGlite's adapter, or its own small pool on
// PostgreSQL), its problems routed to whoever listens, and every queue declared with its policy.

/** A pg-boss instance for the core's database, not yet started. */
export function createBoss(handle: DatabaseHandle, config: Config, options: BusOptions): PgBoss {
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
  return handle.pglite
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
}

/**
 * Routes pg-boss's errors and warnings to the listeners (the worker's and web's loggers), or to stderr
 * while there are none. Returns how to add a listener.
 */
export function routeProblems(boss: PgBoss, config: Config): { onProblem(listener: ProblemListener): () => void } {
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
  return {
    onProblem(listener: ProblemListener): () => void {
      listeners.push(listener);
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },
  };
}

/** Creates or updates every queue, its dead-letter queue and its event subscriptions (on a started boss). */
export async function declareQueues(boss: PgBoss, handle: DatabaseHandle, policies: Record<QueueName, QueueDeclaration>): Promise<void> {
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
}
