import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

// ffmpeg and ffprobe as child processes: the only real video stack, and Debian's package rather than a
// binary from npm. Every run has a time limit (SIGKILL past it: a crafted file that makes the decoder
// spin cannot hold a worker), reads nothing from stdin (`-nostdin`, stdin closed), and keeps only a
// bounded tail of its output. A worker killed mid-run must not leave its ffmpeg running unsupervised
// (its time limit died with the worker): ffmpeg's progress line on stderr meets the broken pipe within
// half a second, and where util-linux's `setpriv` is (always on Debian) the program is also started with
// `--pdeathsig KILL`, which ends it with its parent even while it prints nothing (a stalled decode). The arguments that make a run safe (protocol whitelist, explicit input
// format, thread count) are chosen by the callers (av-probe.ts, av-render.ts), which know the input.

/** A run that did not end well; `timedOut` when it was killed at its time limit. */
export class ToolFailed extends Error {
  override name = 'ToolFailed';
  readonly timedOut: boolean;
  readonly stderr: string;
  constructor(message: string, timedOut: boolean, stderr: string) {
    super(message);
    this.timedOut = timedOut;
    this.stderr = stderr;
  }
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

const SETPRIV = existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;
// util-linux's prlimit sets a resource limit and then runs the program in its place (same process).
const PRLIMIT = existsSync('/usr/bin/prlimit') ? '/usr/bin/prlimit' : undefined;

export interface ToolLimits {
  /**
   * The address space the run may take, in MiB (RLIMIT_AS, where util-linux's prlimit is): past it an
   * allocation fails and so does the run, rather than a crafted file taking the machine's memory.
   */
  memoryMb?: number | undefined;
}

/** The command line that runs `program` under the limits: [setpriv …] [prlimit …] program args. */
function commandLine(program: string, args: readonly string[], limits: ToolLimits): string[] {
  const line = [program, ...args];
  if (PRLIMIT && limits.memoryMb !== undefined) line.unshift(PRLIMIT, `--as=${limits.memoryMb * 1024 * 1024}`, '--');
  if (SETPRIV) line.unshift(SETPRIV, '--pdeathsig', 'KILL', '--');
  return line;
}

/** At most this much of each stream is kept (ffprobe's JSON of a few streams is a few kilobytes). */
const OUTPUT_MAX = 1024 * 1024;

/**
 * Runs `program` with `args` (no shell), within `timeoutMs`. Resolves with its output when it exits 0;
 * rejects with ToolFailed otherwise (the tail of stderr in the error, for the log, never for users).
 */
export function runTool(program: string, args: readonly string[], timeoutMs: number, limits: ToolLimits = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const [command, ...rest] = commandLine(program, args, limits);
    const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < OUTPUT_MAX) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8192);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new ToolFailed(`${program} could not be started: ${error.message}`, false, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new ToolFailed(`${program} ran past its ${Math.round(timeoutMs / 1000)} s limit and was stopped`, true, stderr));
      else if (code === 0) resolve({ stdout, stderr });
      // setpriv's or prlimit's own answer when it cannot start the program, as spawn's error would be without it.
      else if ((SETPRIV || PRLIMIT) && code !== 0 && /(setpriv|prlimit): failed to execute/.test(stderr)) reject(new ToolFailed(`${program} could not be started: ${stderr.trim()}`, false, stderr));
      else reject(new ToolFailed(`${program} exited with ${signal ?? code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`, false, stderr));
    });
  });
}

/** What was found of each program, and when (a missing one is looked for again after a minute). */
const found = new Map<string, { ok: boolean; at: number }>();
const RECHECK_MS = 60_000;

/** Whether `program` runs (`-version` exits 0 within 10 s); remembered, so an upload costs no process. */
async function runs(program: string): Promise<boolean> {
  const known = found.get(program);
  if (known && (known.ok || Date.now() - known.at < RECHECK_MS)) return known.ok;
  const ok = await runTool(program, ['-version'], 10_000).then(
    () => true,
    () => false,
  );
  found.set(program, { ok, at: Date.now() });
  return ok;
}

/** Whether video can be processed here, and if not, why (for the upload's refusal and the admin page). */
export async function videoSupport(config: { ffmpegPath: string; ffprobePath: string }): Promise<{ ok: true } | { ok: false; reason: string }> {
  const missing: string[] = [];
  for (const program of [config.ffmpegPath, config.ffprobePath]) if (!(await runs(program))) missing.push(program);
  if (missing.length === 0) return { ok: true };
  return { ok: false, reason: `ffmpeg is not installed on this server (${missing.join(' and ')} cannot be run; install Debian's ffmpeg package or set FFMPEG_PATH and FFPROBE_PATH)` };
}
