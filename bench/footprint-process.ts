import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// One measured process of `npm run bench:footprint`: spawn it, time it to its first 200 from
// /readyz, let it settle, sample its resident memory, stop it. Linux only (/proc).

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Kills every measured process still running (used on Ctrl-C). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

export interface Footprint {
  /** Seconds from spawn to the first 200 from /readyz. */
  startSeconds: number;
  /** CPU seconds (user + system, all threads) the process used up to that moment. */
  startCpuSeconds: number;
  /** Median of the resident-set samples once the process settled, in MiB. */
  idleRssMiB: number;
  /** The most it ever held resident (VmHWM), in MiB: what the machine must have free. */
  peakRssMiB: number;
  /** Seconds it took to settle after ready (RSS steady over the sample window). */
  settleSeconds: number;
}

export interface MeasureOptions {
  /** Idle time before sampling starts at all. */
  minSettleSeconds: number;
  /** Give up waiting for a steady RSS after this long and take the last samples. */
  maxSettleSeconds: number;
  /** Samples (one a second) that must lie within 2 % of each other. */
  samples: number;
  readyTimeoutSeconds: number;
}

/** A free TCP port on 127.0.0.1 (the process is told to listen on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

// Linux's USER_HZ is 100 on every mainstream architecture; /proc/<pid>/stat counts in it.
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Runs `command <args>` with `env` plus PORT, measures it (see Footprint) and stops it with SIGTERM.
 * Its stdout is discarded; the tail of its stderr goes into the error if it dies before it is ready.
 */
export async function measureProcess(command: string, args: string[], env: Record<string, string>, options: MeasureOptions): Promise<Footprint> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const fail = (why: string) => new Error(`${command} ${args.join(' ')}: ${why}${stderr ? `\n--- its stderr ---\n${stderr.trim()}` : ''}`);
  try {
    const readyUrl = `http://127.0.0.1:${port}/readyz`;
    const deadline = spawnedAt + options.readyTimeoutSeconds * 1000;
    while (!(await ready(readyUrl))) {
      if (exited) throw fail(`exited before it was ready (code ${child.exitCode})`);
      if (performance.now() > deadline) throw fail(`not ready after ${options.readyTimeoutSeconds} s`);
      await sleep(20);
    }
    const startSeconds = (performance.now() - spawnedAt) / 1000;
    const pid = child.pid!;
    const startCpuSeconds = cpuSeconds(pid);
    const readyAt = performance.now();
    await sleep(options.minSettleSeconds * 1000);
    const rss: number[] = [];
    for (;;) {
      rss.push(status(pid, 'VmRSS'));
      const window = rss.slice(-options.samples);
      const steady = window.length === options.samples && Math.max(...window) <= Math.min(...window) * 1.02;
      if (steady || performance.now() - readyAt > options.maxSettleSeconds * 1000) break;
      await sleep(1_000);
      if (exited) throw fail(`exited while idle (code ${child.exitCode})`);
    }
    return {
      startSeconds,
      startCpuSeconds,
      idleRssMiB: median(rss.slice(-options.samples)),
      peakRssMiB: status(pid, 'VmHWM'),
      settleSeconds: (performance.now() - readyAt) / 1000,
    };
  } finally {
    child.kill('SIGTERM');
    const stopped = await Promise.race([exit.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exit;
    }
    live.delete(child);
  }
}

export { median };
