import type { QueueDeclaration, QueueName } from './queues.ts';
import type { JobData } from '../events.ts';

// The shapes the job queue shows the rest of Pipit: jobs as handlers see them, counts and failures as
// the admin page and metrics see them, and the options tests tune.

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
