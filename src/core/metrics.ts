import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Config } from './config.ts';
import type { QueueCounts } from './jobs/bus-types.ts';

// The process's Prometheus metrics (prom-client). One registry per process: the web app serves it at
// /metrics, `pipit worker` on its own small listener. Names follow Prometheus practice — one prefix,
// base units, `_total` on counters — and labels never carry user ids, usernames or emails.

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'pipit_' }); // event-loop lag, heap, GC, CPU, handles

export const metrics = {
  httpRequestDuration: new Histogram({
    name: 'pipit_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern (never the raw URL), method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  postsCreated: new Counter({ name: 'pipit_posts_created_total', help: 'Posts committed.', registers: [registry] }),
  jobsCompleted: new Counter({ name: 'pipit_jobs_completed_total', help: 'Jobs that ran to completion, by queue.', labelNames: ['queue'] as const, registers: [registry] }),
  jobsRetried: new Counter({ name: 'pipit_jobs_retried_total', help: 'Job attempts that failed and will be retried, by queue.', labelNames: ['queue'] as const, registers: [registry] }),
  jobsDeadLettered: new Counter({
    name: 'pipit_jobs_dead_lettered_total',
    help: 'Jobs that failed their last attempt and went to the dead-letter queue, by queue.',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  jobDuration: new Histogram({
    name: 'pipit_job_duration_seconds',
    help: 'Time one job attempt took, by queue.',
    labelNames: ['queue'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  }),
  emailsSent: new Counter({ name: 'pipit_emails_sent_total', help: 'Emails the SMTP server accepted (or, without SMTP_URL, files written).', registers: [registry] }),
  emailsFailed: new Counter({ name: 'pipit_emails_failed_total', help: 'Email attempts that failed (each is retried until its job gives up).', registers: [registry] }),
  queueJobs: new Gauge({
    name: 'pipit_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, failed, dead_letter), counted when scraped.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  }),
  queueOldestWaiting: new Gauge({
    name: 'pipit_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job ready to run and not yet started, per queue (0 when none waits), when scraped.',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
};

/** The exposition text (Prometheus format), with the queue gauges counted from the database now. */
export async function metricsText(overview: () => Promise<QueueCounts[]>): Promise<string> {
  for (const q of await overview()) {
    metrics.queueJobs.set({ queue: q.queue, state: 'waiting' }, q.waiting);
    metrics.queueJobs.set({ queue: q.queue, state: 'active' }, q.active);
    metrics.queueJobs.set({ queue: q.queue, state: 'failed' }, q.failed);
    metrics.queueJobs.set({ queue: q.queue, state: 'dead_letter' }, q.deadLetter);
    metrics.queueOldestWaiting.set({ queue: q.queue }, q.oldestWaitingSeconds);
  }
  return registry.metrics();
}

/** The Content-Type of the exposition text. */
export const METRICS_CONTENT_TYPE = registry.contentType;

/** What a scrape brings that decides whether it may read the metrics. */
export interface MetricsClient {
  /** The Authorization header, if any. */
  authorization: string | undefined;
  /** The client's address (proxy-aware, as the web sees it). */
  ip: string;
  /** Whether the request came through a proxy (X-Forwarded-For or Forwarded present). */
  forwarded: boolean;
}

export type MetricsAccess = 'allowed' | 'unauthorized' | 'local-only' | 'disabled';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an address is this machine (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return LOOPBACK.check(mapped, 'ipv4');
  const family = isIP(ip);
  return family !== 0 && LOOPBACK.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Who may read the metrics: with METRICS_TOKEN set, a request bearing it (`Authorization: Bearer …`,
 * Prometheus's `authorization` setting), from anywhere. Without one: anyone when METRICS_OPEN says so;
 * otherwise, in development and test, only a scraper on this machine — HOST is 0.0.0.0 by default, and
 * queue depths and error rates are nobody else's business — and in production no one. A request that
 * came through a proxy is not "on this machine" even when the proxy is, so a local reverse proxy does
 * not open the metrics to the world.
 */
export function metricsAccess(config: Config, client: MetricsClient): MetricsAccess {
  if (!config.metricsToken) {
    if (config.metricsOpen) return 'allowed';
    if (config.nodeEnv === 'production') return 'disabled';
    return isLoopback(client.ip) && !client.forwarded ? 'allowed' : 'local-only';
  }
  const given = /^Bearer\s+(\S+)$/i.exec(client.authorization ?? '')?.[1] ?? '';
  // Compared as digests, in constant time, so neither the token's length nor its prefix leaks.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(config.metricsToken)) ? 'allowed' : 'unauthorized';
}

/** What to tell a scraper that may not read the metrics (a plain-text body), by reason. */
export const METRICS_REFUSALS: Record<Exclude<MetricsAccess, 'allowed'>, { status: number; text: string }> = {
  unauthorized: { status: 401, text: 'Metrics need the METRICS_TOKEN as a bearer token (Authorization: Bearer …).\n' },
  'local-only': {
    status: 403,
    text: 'Without METRICS_TOKEN, metrics are served only to this machine (127.0.0.1 or ::1, not through a proxy). Set METRICS_TOKEN to scrape from elsewhere, or METRICS_OPEN=true on a private network.\n',
  },
  disabled: { status: 404, text: 'Metrics are off: set METRICS_TOKEN to read them in production.\n' },
};
