// Timings of the job queue that more than one of its parts needs.

/** pg-boss's schema in the database. */
export const SCHEMA = 'pgboss';

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
export const JOB_FINISH_TIMEOUT_MS = 5_000;
/** Supervision on PostgreSQL, frequent enough that a lost heartbeat is noticed within ~20 s. */
export const POSTGRES_SUPERVISE_SECONDS = 10;
