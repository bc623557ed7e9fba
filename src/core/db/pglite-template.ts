import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS } from './pglite-options.ts';

// A new embedded database on disk starts as a copy of an empty one made once, instead of running
// initdb. PGlite's initdb boots two extra PostgreSQL instances in WASM: ~3× the CPU of opening an
// existing directory, and memory the process kept (a first start held ~515 MB idle, peaked ~1.1 GB).
// The copy is a plain directory copy of a cleanly closed database, so PGlite just resumes it; loading
// PGlite's tarball instead (`loadDataDir`) kept ~120 MB more resident (bench/README.md).
//
// The copy is made on this machine by this module (`npm install` runs it; see package.json
// "postinstall"), never committed: it is PGlite's own initdb output for the PGlite version installed,
// named after that version, so an upgrade makes a new one and never uses an old one. Without it
// (scripts skipped at install, a read-only tree) a new database is initialized as before.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CACHE_DIR = join(ROOT, '.cache');
const PREFIX = 'pglite-empty-database-';

function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  // The package's entry is dist/index.cjs; its package.json is one folder up.
  const packageJson = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/** Where the copy for the installed PGlite lives (it may not exist). */
export function templatePath(): string {
  return join(CACHE_DIR, `${PREFIX}${pgliteVersion()}`);
}

/** Makes the copy for the installed PGlite (and removes copies for other versions); returns its path. */
export async function makeTemplate(): Promise<string> {
  const path = templatePath();
  // Made aside and renamed, so a start never copies half a database.
  const partial = `${path}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  const pglite = await PGlite.create(partial, PGLITE_OPTIONS);
  await pglite.close();
  rmSync(path, { recursive: true, force: true });
  renameSync(partial, path);
  for (const name of readdirSync(CACHE_DIR)) {
    if (name.startsWith(PREFIX) && join(CACHE_DIR, name) !== path) rmSync(join(CACHE_DIR, name), { recursive: true, force: true });
  }
  return path;
}

/**
 * Opens PGlite at `dir` with Pipit's options. A new database on disk (an empty or absent directory)
 * starts as a copy of `template` when there is one; if that fails to open, the copy is removed and
 * PGlite initializes the directory as it would have anyway: a damaged copy costs time, never a start.
 * An in-memory database (`memory://`) may start from an `archive` (PGlite's `dumpDataDir`) instead.
 */
export async function openPglite(dir: string, options: { template?: string; archive?: Blob | undefined } = {}): Promise<PGlite> {
  const template = options.template ?? templatePath();
  if (options.archive) {
    if (!dir.startsWith('memory://')) throw new Error('a PGlite archive is loaded in memory only (memory://)');
    return PGlite.create(dir, { ...PGLITE_OPTIONS, loadDataDir: options.archive });
  }
  const fresh = !dir.startsWith('memory://') && (!existsSync(dir) || readdirSync(dir).length === 0);
  if (fresh && existsSync(join(template, 'PG_VERSION'))) {
    try {
      cpSync(template, dir, { recursive: true });
      return await PGlite.create(dir, PGLITE_OPTIONS);
    } catch {
      for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
  return PGlite.create(dir, PGLITE_OPTIONS);
}

/** An archive of the (closed) embedded database at `dir`, which `openPglite('memory://', { archive })` loads. */
export async function archivePglite(dir: string): Promise<Blob> {
  const pglite = await PGlite.create(dir, PGLITE_OPTIONS);
  try {
    return await pglite.dumpDataDir('none');
  } finally {
    await pglite.close();
  }
}

// `node src/core/db/pglite-template.ts` (npm's postinstall): make the copy. Never fails the install:
// without the copy Pipit still starts, only slower the first time.
if (import.meta.main) {
  try {
    const started = performance.now();
    const path = await makeTemplate();
    console.log(`pipit: made ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s (an empty database, so a new one starts faster)`);
  } catch (error) {
    console.warn(`pipit: could not make the empty-database copy (a new database will run initdb instead): ${(error as Error).message}`);
  }
}
