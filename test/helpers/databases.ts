import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { buildCore, loadConfig, type BuildCoreOptions, type Config, type Core } from '../../src/core/index.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { migratedPgliteArchive } from './pglite-test-template.ts';

// The databases the suite runs on: PGlite always (each suite in memory, loaded from one migrated empty
// database: pglite-test-template.ts), a real PostgreSQL when TEST_DATABASE_URL names a server (each suite then
// gets its own scratch database, dropped afterwards).

export type BackendName = 'pglite' | 'postgres';

/** Pipit variables (as in the environment) to override for one suite, e.g. `{ MAX_POST_LENGTH: '50' }`. */
export type EnvOverrides = Record<string, string>;

export interface OpenCore {
  readonly core: Core;
  readonly config: Config;
  /** Closes the core, then drops its scratch database and data directory. */
  close(): Promise<void>;
}

export interface Backend {
  readonly name: BackendName;
  /** Why this backend does not run here, or `undefined` when it does. */
  readonly skip: string | undefined;
  /** Opens a migrated, empty core on this backend (`coreOptions.jobs` tunes the job queue's timings). */
  open(env?: EnvOverrides, coreOptions?: Pick<BuildCoreOptions, 'jobs' | 'role' | 'onQuery'>): Promise<OpenCore>;
}

export const POSTGRES_SKIP_REASON = 'set TEST_DATABASE_URL to run on PostgreSQL';

/** A suite's own PGlite: in memory, loaded from the migrated empty database's archive when there is one. */
async function pgliteOptions(): Promise<Pick<BuildCoreOptions, 'pgliteDir' | 'pgliteArchive'>> {
  const archive = await migratedPgliteArchive();
  return { pgliteDir: 'memory://', ...(archive ? { pgliteArchive: new Blob([archive]) } : {}) };
}

async function openCore(backendName: BackendName, env: EnvOverrides, serverUrl?: string, coreOptions: Pick<BuildCoreOptions, 'jobs' | 'role' | 'onQuery'> = {}): Promise<OpenCore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pipit-test-'));
  const scratch = serverUrl ? await createScratchDatabase(serverUrl, 'pipit_test') : undefined;
  const cleanUp = async () => {
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({ ...env, NODE_ENV: 'test', DATABASE_URL: scratch?.url, DATA_DIR: dataDir }, { dotenvPath: null });
    const core = await buildCore(config, { ...coreOptions, ...(backendName === 'pglite' ? await pgliteOptions() : {}) });
    return {
      core,
      config,
      async close() {
        try {
          await core.close();
        } finally {
          await cleanUp();
        }
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Every backend, in a stable order; the ones that cannot run here carry a `skip` reason. */
export function backends(): Backend[] {
  const serverUrl = process.env.TEST_DATABASE_URL || undefined;
  return [
    { name: 'pglite', skip: undefined, open: (env = {}, coreOptions = {}) => openCore('pglite', env, undefined, coreOptions) },
    {
      name: 'postgres',
      skip: serverUrl ? undefined : POSTGRES_SKIP_REASON,
      open: (env = {}, coreOptions = {}) => openCore('postgres', env, serverUrl, coreOptions),
    },
  ];
}

/** What a suite's body gets: its backend, and its core once the suite's `before` has run. */
export interface CoreFixture {
  readonly backend: Backend;
  /** The suite's core. Read it inside hooks and tests, not while the body registers them. */
  readonly core: Core;
  readonly config: Config;
}

/**
 * Declares the suite `body` once per backend, as `describe('<title> (<backend>)')`, each with its own
 * fresh database, opened before the body's hooks and tests and closed after them. Backends that cannot
 * run are reported as skipped with the reason.
 *
 * @example
 * forEachBackend('posts', (t) => {
 *   it('creates', async () => { await t.core.posts.createPost(…) });
 * });
 * @example HTTP tests build the app on the suite's core in their own `before`:
 * forEachBackend('sign-up page', (t) => {
 *   let app: Awaited<ReturnType<typeof buildApp>>;
 *   before(async () => { app = await buildApp(t.core); });
 *   after(() => app.close());
 *   it('renders', async () => { const res = await app.inject({ url: '/' }); … });
 * }, { env: { MAX_POST_LENGTH: '100' } });
 */
export function forEachBackend(
  title: string,
  body: (fixture: CoreFixture) => void,
  options: {
    env?: EnvOverrides;
    core?: Pick<BuildCoreOptions, 'jobs' | 'role' | 'onQuery'>;
    /** Run on this backend alone, skipping the others with `why` (for what the database cannot change). */
    only?: { backend: BackendName; why: string };
  } = {},
): void {
  for (const backend of backends()) {
    const skip = backend.skip ?? (options.only && options.only.backend !== backend.name ? options.only.why : false);
    describe(`${title} (${backend.name})`, { skip }, () => {
      let opened: OpenCore | undefined;
      // Registered before the body's own hooks, so the body's `before` can already use the core.
      before(async () => {
        opened = await backend.open(options.env, options.core);
      });
      after(async () => {
        await opened?.close();
      });
      const ready = (): OpenCore => {
        if (!opened) throw new Error('The core is opened in a before hook: read fixture.core inside hooks and tests.');
        return opened;
      };
      body({
        backend,
        get core() {
          return ready().core;
        },
        get config() {
          return ready().config;
        },
      });
    });
  }
}
