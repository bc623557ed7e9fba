import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCore, loadConfig } from '../../src/core/index.ts';
import { archivePglite } from '../../src/core/db/pglite-template.ts';

// Every PGlite suite starts from one migrated, empty database instead of running PGlite's initdb and
// every migration in memory (6.5–8 s of CPU per suite). The database is kept as an archive (PGlite's
// `dumpDataDir`) that each suite loads into an in-memory database: 0.6 s of CPU against 1.4 s for
// copying the same database's ~1,150 files to a directory and opening that (measured both ways on
// one machine, three runs each; the copy was mostly system time). The archive is made once per
// PGlite and pg-boss version and set of migrations (their content hashed into its name) under
// .cache/ (gitignored, like the empty-database copy postinstall makes), so a changed migration gets a
// new one. Suites never share a database: each loads its own.

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
  try {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: building }, { dotenvPath: null });
    const core = await buildCore(config, { pgliteDir: join(building, 'db'), role: 'command' });
    await core.close();
    const archive = await archivePglite(join(building, 'db'));
    writeFileSync(join(building, 'archive.tar'), Buffer.from(await archive.arrayBuffer()));
    // Atomic: a suite in another process that made the same archive first wins (the same bytes).
    renameSync(join(building, 'archive.tar'), path);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  // Archives for other migrations go once a day has passed: a checkout on another branch (a git
  // worktree sharing .cache/) may still be loading its own.
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(CACHE)) {
    const other = join(CACHE, entry);
    if (entry.startsWith(PREFIX) && other !== path && statSync(other).mtimeMs < dayAgo) rmSync(other, { recursive: true, force: true });
  }
}

let template: Promise<Buffer | undefined> | undefined;

/**
 * The archive of the migrated empty database, made on first use and read once per process; `undefined`
 * when it cannot be made here (a read-only checkout), and suites then start PGlite in memory from initdb.
 */
export function migratedPgliteArchive(): Promise<Buffer | undefined> {
  template ??= (async () => {
    const path = join(CACHE, `${PREFIX}${templateKey()}.tar`);
    try {
      if (!existsSync(path)) await build(path);
      return readFileSync(path);
    } catch (error) {
      process.emitWarning(`PGlite suites start in memory from initdb (slower): no migrated archive could be made in ${CACHE}: ${(error as Error).message}`);
      return undefined;
    }
  })();
  return template;
}
