import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { buildCore, loadConfig } from '../src/core/index.ts';
import { createScratchDatabase } from '../src/core/db/scratch-database.ts';

// Creates and seeds the database of one mode, through the core as `pipit seed` would, then closes
// it so a server child can open it (PGlite is one process at a time).

export interface Sizes {
  accounts: number;
  posts: number;
}

export interface PreparedDatabase {
  mode: 'embedded' | 'postgres';
  /** Environment for the Pipit child (its whole configuration). */
  pipitEnv: Record<string, string>;
  /** Environment for the baseline child. */
  baselineEnv: Record<string, string>;
  /** A seeded account whose profile is measured. */
  username: string;
  /** e.g. `PostgreSQL 16.4` or `PGlite 0.4.x`. */
  engine: string;
  seedSeconds: number;
  /** Deletes the data (temp directory, scratch database). Safe to call twice. */
  cleanup(): Promise<void>;
}

// Every directory and scratch database is registered the moment it exists, so that an interrupted
// run (Ctrl-C during seeding) still removes it.
const pending = new Set<() => Promise<void>>();

/** Registers `remove`; the returned function runs it once and unregisters it. */
function track(remove: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    if (!pending.delete(once)) return;
    await remove();
  };
  pending.add(once);
  return once;
}

/** Removes every database this process created and has not removed yet. */
export async function cleanUpDatabases(): Promise<void> {
  // Last created, first removed: the directories (which cannot fail) before the scratch database.
  for (const remove of [...pending].reverse()) {
    await remove().catch((error: unknown) => console.error('removing benchmark data failed:', error));
  }
}

/** Pipit's configuration for the benchmark: production settings, only localhost. */
function pipitEnv(databaseUrl: string, dataDir: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://pipit.bench.invalid',
    SECRET_KEY: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: '0',
    // Empty means unset: the embedded database, even if the caller's shell has a DATABASE_URL.
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'info',
  };
}

function progressPrinter(label: string): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth === shown) return;
    shown = tenth;
    process.stderr.write(`  ${label}: seeding ${Math.round((done / total) * 100)}%\n`);
  };
}

/** Seeds through the core and returns a real username (the author of the newest public post). */
async function seedThroughCore(env: Record<string, string>, sizes: Sizes, label: string): Promise<{ username: string; seconds: number }> {
  const started = performance.now();
  const core = await buildCore(loadConfig(env, { dotenvPath: null }));
  try {
    await core.seed({ accounts: sizes.accounts, posts: sizes.posts, onProgress: progressPrinter(label) });
    const [newest] = await core.posts.publicTimeline({ limit: 1 });
    if (!newest) throw new Error('the seed produced no public post');
    return { username: newest.account.username, seconds: (performance.now() - started) / 1000 };
  } finally {
    await core.close();
  }
}

/** The embedded database: PGlite on disk in a temporary DATA_DIR. */
export async function prepareEmbedded(sizes: Sizes): Promise<PreparedDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pipit-bench-'));
  const cleanup = track(async () => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const env = pipitEnv('', dataDir);
    const { username, seconds } = await seedThroughCore(env, sizes, 'embedded');
    // Where core keeps PGlite inside DATA_DIR (pgliteDirectory in src/core/db/connection.ts).
    const pgliteDir = join(dataDir, 'db');
    // Fresh statistics, so both servers get the plans a settled database would give.
    const pglite = await PGlite.create(pgliteDir);
    let version: string;
    try {
      await pglite.exec('ANALYZE');
      version = (await pglite.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    } finally {
      await pglite.close();
    }
    return {
      mode: 'embedded',
      pipitEnv: env,
      baselineEnv: { BENCH_BASELINE_PGLITE_DIR: pgliteDir },
      username,
      engine: `PGlite (PostgreSQL ${version})`,
      seedSeconds: seconds,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A URL safe to print: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * A scratch database on the PostgreSQL server at `serverUrl`, or a reason to skip this mode when
 * the server cannot be reached (or will not let us create a database).
 */
export async function preparePostgres(serverUrl: string, sizes: Sizes): Promise<PreparedDatabase | { skipped: string }> {
  const probe = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
  } catch (error) {
    return { skipped: `cannot connect to ${redactUrl(serverUrl)} (${(error as Error).message})` };
  } finally {
    await probe.end().catch(() => {});
  }
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  try {
    scratch = await createScratchDatabase(serverUrl, 'pipit_bench');
  } catch (error) {
    return { skipped: `cannot create a scratch database on ${redactUrl(serverUrl)} (${(error as Error).message})` };
  }
  const dropScratch = track(() => scratch.drop());
  const dataDir = mkdtempSync(join(tmpdir(), 'pipit-bench-'));
  const removeDir = track(async () => rmSync(dataDir, { recursive: true, force: true }));
  const cleanup = async () => {
    await removeDir();
    await dropScratch();
  };
  try {
    const env = pipitEnv(scratch.url, dataDir);
    const { username, seconds } = await seedThroughCore(env, sizes, 'postgres');
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    let version: string;
    try {
      // Autovacuum would analyze the new rows within a minute or so; do it now, so results do not
      // depend on when it ran.
      await client.query('ANALYZE');
      version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    } finally {
      await client.end();
    }
    return {
      mode: 'postgres',
      pipitEnv: env,
      baselineEnv: { BENCH_BASELINE_DATABASE_URL: scratch.url },
      username,
      engine: `PostgreSQL ${version}`,
      seedSeconds: seconds,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
