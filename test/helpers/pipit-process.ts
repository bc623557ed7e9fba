import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { nodeArgs, nodeEnv } from './node-process.ts';

// A `pipit` command in a process of its own (the real CLI), for the tests that kill it, stop it with
// SIGTERM, or take its database away. The working directory is the data directory, so no stray .env
// from the repository is read.

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

export interface PipitProcess {
  readonly child: ChildProcess;
  /** The last few thousand characters it wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Every line it wrote so far. */
  lines(): string[];
  /** Resolves with its exit code or signal once it has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Starts `pipit <args>` with `env` (plus NODE_ENV=test, LOG_LEVEL=warn, HOST=127.0.0.1 unless given). */
export function spawnPipit(args: string[], env: Record<string, string>, cwd: string): PipitProcess {
  const child = spawn(process.execPath, nodeArgs(MAIN, args), {
    cwd,
    env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output.slice(-4000), lines: () => output.split('\n').filter(Boolean), exited: () => exitOf(child) };
}

/** Waits until `url` answers 200, failing after `timeoutMs` or if the process exits first. */
export async function waitUntilReady(proc: PipitProcess, url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`pipit exited (${proc.child.exitCode ?? proc.child.signalCode}): ${proc.output()}`);
    const ready = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.child.kill('SIGKILL');
  throw new Error(`pipit was not ready within ${timeoutMs} ms: ${proc.output()}`);
}
