import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

// autocannon (no bundled types) driven from the parent process. Throughput and error counts come
// from autocannon; latency percentiles from our own record of every 2xx response time, because
// autocannon's histogram keeps whole milliseconds and the baseline answers in a couple of them.

interface AutocannonOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  duration: number;
  pipelining: number;
  timeout: number;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  requests: { total: number; average: number };
}
type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => EventEmitter & { stop(): void };

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadResult {
  /** Successful (2xx) responses per second over the measured time. */
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  ok: number;
  /** Connection errors, timeouts and non-2xx responses: a healthy run has none. */
  failures: number;
  seconds: number;
  /** Server CPU time per successful request (ms), when known: the cost of a page, whatever else runs. */
  cpuMsPerRequest: number | undefined;
}

/** One stretch of load: counts and every 2xx response time (ms). */
export interface Sample {
  ok: number;
  failures: number;
  seconds: number;
  times: number[];
  /** CPU seconds the server used during the stretch, when known. */
  serverCpuSeconds?: number | undefined;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Merges stretches of load on the same target (rounds) into one result. */
export function summarize(samples: Sample[]): LoadResult {
  const sorted = Float64Array.from(samples.flatMap((s) => s.times)).sort();
  const ok = samples.reduce((n, s) => n + s.ok, 0);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  return {
    rps: ok / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    ok,
    failures: samples.reduce((n, s) => n + s.failures, 0),
    seconds,
    cpuMsPerRequest: samples.every((s) => s.serverCpuSeconds !== undefined)
      ? (samples.reduce((n, s) => n + s.serverCpuSeconds!, 0) * 1000) / ok
      : undefined,
  };
}

/** Keeps `connections` requests in flight against `url` for `seconds`. */
export function measure(url: string, options: { connections: number; seconds: number; headers?: Record<string, string> | undefined }): Promise<Sample> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    // The run stops itself after `seconds`; the guard only catches a wedged load generator.
    const guard = setTimeout(() => {
      instance.stop();
      reject(new Error(`load on ${url} did not finish`));
    }, (options.seconds + 30) * 1000);
    const instance = autocannon(
      { url, connections: options.connections, duration: options.seconds, pipelining: 1, timeout: 10, ...(options.headers ? { headers: options.headers } : {}) },
      (error, result) => {
        clearTimeout(guard);
        if (error) return reject(error);
        resolve({ ok: result['2xx'], failures: result.errors + result.timeouts + result.non2xx, seconds: result.duration, times });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) times.push(ms);
    });
  });
}
