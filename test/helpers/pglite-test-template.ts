import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCore, loadConfig } from '../../src/core/index.ts';

// Every PGlite suite starts from a copy of one migrated, empty database instead of running PGlite's
// initdb and every migration in memory: measured 1.2–1.5 s of CPU to open a copy against 6.5–8 s for
// `memory://`, which with ~100 suite databases was most of `npm test`'s time. The copy is made once
// per PGlite and pg-boss version and set of migrations (their content hashed into its name) under
// .cache/ (gitignored, like the empty-database copy postinstall makes), so a changed migration gets a
// new one. Suites never share a database: each gets its own copy, removed afterwards.

const ROOT = join(import.meta.dirname, '..', '..');
const CACHE = join(ROOT, '.cache');
const PREFIX = 'test-pglite-migrated-';

function templateKey(): string {
  const hash = createHash('sha256');
  for (const pkg of ['@electric-sql/pglite', 'pg-boss']) hash.update(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json')));
  const migrations = join(ROOT, 'src/core/db/migrations');
  for (const file of readdirSync(migrations).sort()) hash.update(file).update(readFileSync(join(migrations, file)));
  return hash.digest('hex').slice(0, 16);
}

async function build(path: string): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const building = mkdtempSync(join(CACHE, 'test-pglite-building-'));
  const dataDir = mkdtempSync(join(CACHE, 'test-pglite-data-'));
  try {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }, { dotenvPath: null });
    const core = await buildCore(config, { pgliteDir: join(building, 'db'), role: 'command' });
    await core.close();
    // Atomic: a suite in another process that built the same copy first wins, and this one is dropped.
    renameSync(join(building, 'db'), path);
  } catch (error) {
    if (!existsSync(join(path, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(building, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Copies for other migrations go once a day has passed: a checkout on another branch (a git
  // worktree sharing .cache/) may still be copying its own.
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(CACHE)) {
    const other = join(CACHE, entry);
    if (entry.startsWith(PREFIX) && other !== path && statSync(other).mtimeMs < dayAgo) rmSync(other, { recursive: true, force: true });
  }
}

let template: Promise<string | undefined> | undefined;

/**
 * The directory of the migrated empty database to copy, made on first use; `undefined` when it cannot
 * be made here (a read-only checkout), and suites then open PGlite in memory as before.
 */
export function migratedPgliteTemplate(): Promise<string | undefined> {
  template ??= (async () => {
    const path = join(CACHE, PREFIX + templateKey());
    try {
      if (!existsSync(join(path, 'PG_VERSION'))) await build(path);
      return path;
    } catch (error) {
      process.emitWarning(`PGlite suites open in memory (slower): no migrated copy could be made in ${CACHE}: ${(error as Error).message}`);
      return undefined;
    }
  })();
  return template;
}
