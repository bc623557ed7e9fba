import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS } from './pglite-options.ts';

// A new embedded database starts from a copy of an empty one made once, instead of running initdb.
// PGlite's initdb boots two extra PostgreSQL instances and takes ~3× the CPU of a start from a data
// directory tarball, and it drove the first start's peak memory to ~550 MB (bench/README.md).
//
// The copy is made on this machine by this module (`npm install` runs it; see package.json
// "postinstall"), never committed: it is PGlite's own initdb output for the PGlite version installed,
// named after that version, so an upgrade makes a new one and never loads an old one. Without it
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
  return join(CACHE_DIR, `${PREFIX}${pgliteVersion()}.tgz`);
}


/** Makes the copy for the installed PGlite (and removes copies for other versions); returns its path. */
export async function makeTemplate(): Promise<string> {
  const path = templatePath();
  const pglite = await PGlite.create('memory://', PGLITE_OPTIONS);
  try {
    const tarball = new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    mkdirSync(CACHE_DIR, { recursive: true });
    // Written aside and renamed, so a start never reads half a file.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, tarball);
    renameSync(partial, path);
  } finally {
    await pglite.close();
  }
  for (const name of readdirSync(CACHE_DIR)) {
    if (name.startsWith(PREFIX) && join(CACHE_DIR, name) !== path) rmSync(join(CACHE_DIR, name), { force: true });
  }
  return path;
}

/**
 * Opens PGlite at `dir` with Pipit's options. A new database (in memory, or an empty or absent
 * directory) starts from the copy when there is one; if loading it fails, what it wrote is removed and PGlite
 * initializes the directory as it would have anyway, so a damaged copy costs time, never a start.
 */
export async function openPglite(dir: string, templateFile = templatePath()): Promise<PGlite> {
  const inMemory = dir.startsWith('memory://');
  const fresh = inMemory || !existsSync(dir) || readdirSync(dir).length === 0;
  const template = fresh && existsSync(templateFile) ? new Blob([readFileSync(templateFile)]) : undefined;
  if (template) {
    try {
      return await PGlite.create(dir, { ...PGLITE_OPTIONS, loadDataDir: template });
    } catch {
      if (!inMemory) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
  return PGlite.create(dir, PGLITE_OPTIONS);
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
