import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { DatabaseHandle } from '../db/connection.ts';
import { SCHEMA } from './bus-constants.ts';
import type { JobFailure, JobProcess, QueueCounts } from './bus-types.ts';
import { QUEUE_NAMES, deadLetterQueue, type QueueDeclaration, type QueueName } from './queues.ts';

// What people see of the queues (the admin page, `pipit jobs`, the metrics): counts, recent failures
// and the processes at work, read from pg-boss's tables.

function errorText(output: unknown): string {
  if (output && typeof output === 'object') {
    const o = output as { message?: unknown; name?: unknown; code?: unknown };
    if (typeof o.message === 'string') return o.message.slice(0, 500);
  }
  return JSON.stringify(output ?? null).slice(0, 500);
}

/** The read-only views of the queues. */
export function queueViews(boss: PgBoss, handle: DatabaseHandle, policies: Record<QueueName, QueueDeclaration>) {
  return {
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
        WHERE name IN (${sql.join(names)}) GROUP BY name, state`.execute(handle.db);
      const { rows: oldest } = await sql<{ name: string; seconds: number }>`
        SELECT name, extract(epoch FROM now() - min(start_after))::float8 AS seconds FROM ${sql.id(SCHEMA, 'job')}
        WHERE name IN (${sql.join(QUEUE_NAMES)}) AND state = 'created' AND start_after <= now() GROUP BY name`.execute(handle.db);
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
        ORDER BY at DESC LIMIT ${Math.min(Math.max(limit, 1), 200)}`.execute(handle.db);
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
  };
}
