import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildCore, loadConfig } from '../src/core/index.ts';
import { createScratchDatabase } from '../src/core/db/scratch-database.ts';
import { issueUserToken, pipitEnv, redactUrl, track } from './databases.ts';
import { freePort } from './footprint-process.ts';

// Pipit's side of `npm run bench:media`: the real CLI in processes of its own, as a site runs it —
// on PostgreSQL `pipit web` and ONE `pipit worker`; on the embedded database `pipit start` (PGlite
// belongs to one process, so the web and the worker share it there) — and the clients that upload
// over the API with user tokens and poll until each upload is ready.

const ROOT = join(import.meta.dirname, '..');
const PIPIT = join(ROOT, 'bin/pipit');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface PipitProcess {
  role: 'web' | 'worker' | 'web + worker';
  pid: number;
}

export interface JobDone {
  queue: string;
  durationMs: number;
}

export interface PipitSite {
  url: string;
  /** One user token per account; uploads take them in turn (each account has its own upload limit). */
  tokens: string[];
  processes: PipitProcess[];
  /** The jobs finished so far (from the worker's `job completed` log lines). */
  jobs(): JobDone[];
  /** CPU seconds so far of every Pipit process and the ffmpeg/ffprobe runs they waited for. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Mastodon's limit of 30 uploads per account per 30 minutes (src/core/rate-limits): a margin under it. */
const UPLOADS_PER_ACCOUNT = 25;

function procStat(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, and cutime, cstime: the children waited for (ffmpeg, ffprobe). USER_HZ is 100.
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

/** The most a process held resident so far (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves when a log line's `msg` is `message`. */
  logged(message: string, timeoutMs: number): Promise<void>;
  /** Every job the process finished so far: its queue and how long its handler took (the worker's log). */
  jobs: JobDone[];
  stop(): Promise<void>;
}

/** `pipit <command>` with `env` only (plus PATH and TMPDIR), in `cwd` (the data directory: no stray .env). */
function spawnPipit(command: string, env: Record<string, string>, cwd: string): Spawned {
  const child = spawn(PIPIT, [command], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  let buffered = '';
  const waiting = new Map<string, () => void>();
  const jobs: JobDone[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (tail = (tail + chunk).slice(-4000)));
  // The JSON log lines (request logs at info) are read and dropped, but for the ones waited for.
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      for (const [message, resolve] of waiting) if (line.includes(`"msg":${JSON.stringify(message)}`)) resolve();
      if (line.includes('"msg":"job completed"')) {
        try {
          const { queue, durationMs } = JSON.parse(line) as JobDone;
          jobs.push({ queue, durationMs });
        } catch {
          // Not a whole JSON line (it never should be): the step times are diagnostics, not the measure.
        }
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    jobs,
    output: () => tail,
    logged: (message, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pipit ${command}: no "${message}" within ${timeoutMs / 1000} s\n${tail}`)), timeoutMs);
        void exited.then(() => reject(new Error(`pipit ${command} exited (${child.exitCode ?? child.signalCode})\n${tail}`)));
        waiting.set(message, () => {
          clearTimeout(timer);
          waiting.delete(message);
          resolve();
        });
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
    },
  };
}

async function waitForReady(url: string, proc: Spawned, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`pipit exited before it was ready\n${proc.output()}`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pipit was not ready within ${timeoutMs / 1000} s\n${proc.output()}`);
}

/**
 * A scratch database (PostgreSQL) or a temporary DATA_DIR (embedded), migrated and given `accounts`
 * accounts with a user token each through the core (as bench/databases.ts issues them), then Pipit
 * started on it. Undefined with a reason when PostgreSQL cannot be reached.
 */
export async function startPipit(mode: 'embedded' | 'postgres', options: { accounts: number; databaseUrl: string }): Promise<PipitSite | { skipped: string }> {
  let databaseUrl = '';
  if (mode === 'postgres') {
    const probe = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 5_000 });
    try {
      await probe.connect();
      const scratch = await createScratchDatabase(options.databaseUrl, 'pipit_bench');
      track(() => scratch.drop());
      databaseUrl = scratch.url;
    } catch (error) {
      return { skipped: `cannot use ${redactUrl(options.databaseUrl)} (${(error as Error).message})` };
    } finally {
      await probe.end().catch(() => {});
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'pipit-bench-media-'));
  track(async () => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env = {
    ...pipitEnv(databaseUrl, dataDir),
    PORT: String(port),
    // The worker's metrics listener is not measured (and would need a port of its own).
    METRICS_PORT: '0',
    // Every upload is kept until the run ends: no account may run out of room.
    MEDIA_QUOTA_MB: '0',
  };

  const core = await buildCore(loadConfig(env, { dotenvPath: null }));
  const tokens: string[] = [];
  try {
    for (let i = 0; i < options.accounts; i++) {
      const account = await core.accounts.signUp({ username: `uploader_${i}`, email: `uploader_${i}@bench.invalid`, password: 'bench-password-1234' });
      tokens.push(await issueUserToken(core, account.id));
    }
  } finally {
    await core.close();
  }

  const url = `http://127.0.0.1:${port}`;
  const started: Spawned[] = [];
  const stop = async () => {
    // The web first, as `pipit start` closes its services, then the worker.
    for (const proc of started) await proc.stop();
  };
  try {
    if (mode === 'embedded') {
      const site = spawnPipit('start', env, dataDir);
      started.push(site);
      const workerUp = site.logged('Pipit worker is running', 180_000);
      await waitForReady(url, site, 180_000);
      await workerUp;
    } else {
      const web = spawnPipit('web', env, dataDir);
      started.push(web);
      await waitForReady(url, web, 180_000);
      const worker = spawnPipit('worker', env, dataDir);
      started.push(worker);
      await worker.logged('Pipit worker is running', 180_000);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const roles: PipitProcess['role'][] = mode === 'embedded' ? ['web + worker'] : ['web', 'worker'];
  const processes = started.map((proc, i) => ({ role: roles[i]!, pid: proc.child.pid! }));
  return { url, tokens, processes, jobs: () => started.flatMap((proc) => proc.jobs), cpuSeconds: () => processes.reduce((sum, p) => sum + procStat(p.pid), 0), stop };
}

export interface Upload {
  /** What the client sends: the file's bytes, its name and type. */
  file: Blob;
  name: string;
}

interface MediaEntity {
  id: string;
  type: string;
  url: string | null;
  meta?: { original?: { width?: number; height?: number; duration?: number } };
}

/** Checks the finished attachment is what the pipeline must make of the upload, or throws. */
export type Check = (media: MediaEntity) => string | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POST /api/v2/media, then GET /api/v1/media/:id every `pollMs` until 200 (the POST itself may answer 200
 * when the image was ready within MEDIA_UPLOAD_WAIT_SECONDS). Resolves with the milliseconds from the
 * first byte sent to the ready answer received.
 */
export async function uploadUntilReady(site: PipitSite, token: string, upload: Upload, check: Check, pollMs: number, timeoutMs: number): Promise<number> {
  const headers = { authorization: `Bearer ${token}` };
  const t0 = performance.now();
  const form = new FormData();
  form.append('file', upload.file, upload.name);
  const posted = await fetch(`${site.url}/api/v2/media`, { method: 'POST', headers, body: form });
  let media = (await posted.json()) as MediaEntity;
  if (posted.status !== 200 && posted.status !== 202) throw new Error(`POST /api/v2/media answered ${posted.status}: ${JSON.stringify(media).slice(0, 300)}`);
  let ready = posted.status === 200 && media.url !== null;
  while (!ready) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`media ${media.id} was not ready after ${timeoutMs / 1000} s`);
    await sleep(pollMs);
    const polled = await fetch(`${site.url}/api/v1/media/${media.id}`, { headers });
    const body = (await polled.json()) as MediaEntity;
    if (polled.status === 200) {
      media = body;
      ready = true;
    } else if (polled.status !== 206) {
      throw new Error(`GET /api/v1/media/${media.id} answered ${polled.status}: ${JSON.stringify(body).slice(0, 300)}`);
    }
  }
  const elapsed = performance.now() - t0;
  const wrong = check(media);
  if (wrong) throw new Error(`media ${media.id}: ${wrong}: ${JSON.stringify(media).slice(0, 400)}`);
  return elapsed;
}

export interface Timed {
  durations: number[];
  wallSeconds: number;
}

/**
 * `count` uploads by `clients` clients, each taking the next upload as soon as its previous one is
 * ready; upload i uses token i mod tokens (so no account passes its upload limit).
 */
export async function uploadMany(site: PipitSite, upload: Upload, check: Check, options: { count: number; clients: number; firstToken: number; pollMs: number; timeoutMs: number }): Promise<Timed> {
  const durations: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next < options.count) {
        const i = next++;
        const token = site.tokens[(options.firstToken + i) % site.tokens.length]!;
        durations.push(await uploadUntilReady(site, token, upload, check, options.pollMs, options.timeoutMs));
      }
    }),
  );
  return { durations, wallSeconds: (performance.now() - started) / 1000 };
}

/** Accounts enough for `uploads` uploads within each account's upload limit, at least `clients`. */
export function accountsFor(uploads: number, clients: number): number {
  return Math.max(clients, Math.ceil(uploads / UPLOADS_PER_ACCOUNT));
}
