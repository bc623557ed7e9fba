import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The parent side of the server children: spawn with an IPC channel, wait (bounded) for "ready",
// and make sure no child outlives the run, whatever way the run ends.

const live = new Set<ChildProcess>();

// Last resort on any exit of the parent (normal, error, signal handler calling process.exit).
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Kills every child still running (SIGTERM, then SIGKILL after `graceMs`). */
export async function killAllChildren(graceMs = 5_000): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child, graceMs)));
}

export interface ServerChild {
  /** Base URL the child listens on, e.g. `http://127.0.0.1:40123`. */
  url: string;
  pid: number;
  /** CPU seconds (user + system, all threads) the child has used so far; undefined off Linux. */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

// Linux's USER_HZ is 100 on every mainstream architecture; /proc/<pid>/stat counts in it.
const TICKS_PER_SECOND = 100;

function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

function within(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  const done = exited(child);
  // A graceful stop lets PGlite close its files before the next process opens the same directory.
  child.kill('SIGTERM');
  if (!(await within(done, graceMs))) {
    child.kill('SIGKILL');
    await within(done, 5_000);
  }
  live.delete(child);
}

/**
 * Runs `node <script>` with `env` and resolves once it sends `{ type: 'ready', url }` over IPC.
 * The child's stdout (request logs) is discarded; the tail of its stderr is kept for error messages.
 */
export function startServer(script: string, env: Record<string, string>, timeoutMs = 120_000): Promise<ServerChild> {
  // With bin/pipit's Node flags (--liftoff-only, --max-semi-space-size=8), so both servers run on the
  // engine settings Pipit runs with: the embedded database's WebAssembly and the young generation alike.
  const child = spawn(process.execPath, ['--liftoff-only', '--max-semi-space-size=8', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const stop = () => stopChild(child, 10_000);

  return new Promise<ServerChild>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${script}: ${why}${stderr ? `\n--- its stderr ---\n${stderr.trim()}` : ''}`)));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs / 1000} s`), timeoutMs);
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    child.once('error', (error) => fail(error.message));
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type !== 'ready' || !message.url || settled) return;
      settled = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: message.url, pid: child.pid!, cpuSeconds: () => cpuSecondsOf(child.pid!), stop });
    });
  });
}
