import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { buildCore, loadConfig, type Core } from '../src/core/index.ts';
import { createScratchDatabase } from '../src/core/db/scratch-database.ts';

// Creates and seeds the database of one mode, through the core as `pipit seed` would, then closes
// it so a server child can open it (PGlite is one process at a time).

export interface Sizes {
  accounts: number;
  posts: number;
  /** How many accounts the API viewer follows (its home timeline). */
  follows: number;
}

/** What the API targets read as: a real user token and the ids in their paths. */
export interface ApiViewer {
  /** A bearer token issued through the core's OAuth flow (authorization code), scopes `read write`. */
  token: string;
  /** The token's account: it follows `follows` accounts and has favourited and bookmarked some posts. */
  accountId: string;
  /** The account with the most posts, whose statuses are listed (at least one full page). */
  statusesAccountId: string;
}

export interface PreparedDatabase {
  mode: 'embedded' | 'postgres';
  /** Environment for the Pipit child (its whole configuration). */
  pipitEnv: Record<string, string>;
  /** Environment for the baseline child. */
  baselineEnv: Record<string, string>;
  /** A seeded account whose profile is measured. */
  username: string;
  api: ApiViewer;
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
export function track(remove: () => Promise<void>): () => Promise<void> {
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

/** Where both servers say they are: the baseline builds the same absolute URLs Pipit does. */
const BENCH_PUBLIC_URL = 'https://pipit.bench.invalid';

/** Pipit's configuration for the benchmark: production settings, only localhost. */
export function pipitEnv(databaseUrl: string, dataDir: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PUBLIC_URL: BENCH_PUBLIC_URL,
    SECRET_KEY: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: '0',
    // Empty means unset: the embedded database, even if the caller's shell has a DATABASE_URL.
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    // Every API call counts against its token's window (rate-limit.ts), and the benchmark makes far
    // more than the default 300 per 5 minutes: the highest limit, so the count is still kept but
    // nothing is refused.
    API_RATE_LIMIT: '1000000',
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

/** A user token for `accountId`, the way a client gets one: app, authorization request, code, exchange. */
export async function issueUserToken(core: Core, accountId: string): Promise<string> {
  const redirectUri = 'urn:ietf:wg:oauth:2.0:oob';
  const app = await core.oauth.registerApp({ clientName: 'pipit-bench', redirectUris: redirectUri, scopes: 'read write' });
  const request = await core.oauth.validateAuthorizationRequest({ clientId: app.clientId, redirectUri, responseType: 'code', scope: 'read write' });
  const code = await core.oauth.issueAuthorizationCode(accountId, request);
  return (await core.oauth.exchangeAuthorizationCode(app, { code, redirectUri })).accessToken;
}

interface Seeded {
  username: string;
  viewer: { accountId: string; token: string };
  seconds: number;
}

/**
 * Seeds through the core; returns a real username (the author of the newest public post) and the API
 * viewer: the seeded account that follows `sizes.follows` others, with a token and, so that the
 * viewer's flags are not all false, favourites and bookmarks on some posts of its timelines.
 */
async function seedThroughCore(env: Record<string, string>, sizes: Sizes, label: string): Promise<Seeded> {
  const started = performance.now();
  const core = await buildCore(loadConfig(env, { dotenvPath: null }));
  try {
    const made = await core.seed({ accounts: sizes.accounts, posts: sizes.posts, follows: sizes.follows, onProgress: progressPrinter(label) });
    const [newest] = await core.posts.publicTimeline({ limit: 1 });
    if (!newest) throw new Error('the seed produced no public post');
    if (!made.follower) throw new Error('the seed made no follower (BENCH_ACCOUNTS must be at least 2)');
    const viewer = await core.accounts.getAccountByUsername(made.follower);
    const home = await core.posts.homeTimeline(viewer.id, { limit: 20 });
    const everyone = await core.posts.publicTimeline({ limit: 20 });
    for (const [i, post] of [...home, ...everyone].entries()) {
      if (i % 3 === 0) await core.interactions.favourite(viewer.id, post.id);
      if (i % 4 === 0) await core.interactions.bookmark(viewer.id, post.id);
    }
    const token = await issueUserToken(core, viewer.id);
    return { username: newest.account.username, viewer: { accountId: viewer.id, token }, seconds: (performance.now() - started) / 1000 };
  } finally {
    await core.close();
  }
}

// Both engines answer the same SQL; the benchmark reads a little after seeding, outside the core.
type Read = <R>(sql: string) => Promise<R[]>;

/** Fresh statistics, the engine's version and the account whose statuses are measured. */
async function settle(read: Read): Promise<{ version: string; statusesAccountId: string }> {
  // Autovacuum would analyze the new rows within a minute or so (PGlite has none); do it now, so
  // both servers get the plans a settled database gives, whenever the run starts.
  await read('ANALYZE');
  const [v] = await read<{ v: string }>("SELECT current_setting('server_version') AS v");
  const [most] = await read<{ id: string }>('SELECT id::text AS id FROM accounts ORDER BY statuses_count DESC, id LIMIT 1');
  return { version: v!.v, statusesAccountId: most!.id };
}

/** The embedded database: PGlite on disk in a temporary DATA_DIR. */
export async function prepareEmbedded(sizes: Sizes): Promise<PreparedDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pipit-bench-'));
  const cleanup = track(async () => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const env = pipitEnv('', dataDir);
    const { username, viewer, seconds } = await seedThroughCore(env, sizes, 'embedded');
    // Where core keeps PGlite inside DATA_DIR (pgliteDirectory in src/core/db/connection.ts).
    const pgliteDir = join(dataDir, 'db');
    const pglite = await PGlite.create(pgliteDir);
    let settled: Awaited<ReturnType<typeof settle>>;
    try {
      settled = await settle(async <R>(sql: string) => (await pglite.query<R>(sql)).rows);
    } finally {
      await pglite.close();
    }
    return {
      mode: 'embedded',
      pipitEnv: env,
      baselineEnv: { BENCH_BASELINE_PGLITE_DIR: pgliteDir, BENCH_PUBLIC_URL },
      username,
      api: { ...viewer, statusesAccountId: settled.statusesAccountId },
      engine: `PGlite (PostgreSQL ${settled.version})`,
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
    const { username, viewer, seconds } = await seedThroughCore(env, sizes, 'postgres');
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    let settled: Awaited<ReturnType<typeof settle>>;
    try {
      settled = await settle(async <R>(sql: string) => (await client.query(sql)).rows as R[]);
    } finally {
      await client.end();
    }
    return {
      mode: 'postgres',
      pipitEnv: env,
      baselineEnv: { BENCH_BASELINE_DATABASE_URL: scratch.url, BENCH_PUBLIC_URL },
      username,
      api: { ...viewer, statusesAccountId: settled.statusesAccountId },
      engine: `PostgreSQL ${settled.version}`,
      seedSeconds: seconds,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
