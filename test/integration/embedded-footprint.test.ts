import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildCore, loadConfig } from '../../src/core/index.ts';
import { connect, pgliteDirectory } from '../../src/core/db/connection.ts';
import { analyzeNeverAnalyzed } from '../../src/core/db/planner-statistics.ts';

// What keeps the embedded database light (bench/README.md, "Start time and memory"): PostgreSQL's
// buffers sized for a small site, since PGlite never gives its WASM memory back, and no statistics
// work at a start that does not need it. PGlite only: PostgreSQL's own settings are its operator's.
describe('embedded database footprint', () => {
  const dirs: string[] = [];
  const newConfig = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pipit-footprint-'));
    dirs.push(dir);
    return loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }, { dotenvPath: null });
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('opens PGlite with small buffers (shared_buffers and maintenance_work_mem 16MB, not 128MB and 64MB)', async () => {
    const handle = await connect({ url: undefined, pgliteDir: 'memory://' });
    try {
      const setting = async (name: string) => (await sql<{ setting: string }>`SELECT current_setting(${name}) AS setting`.execute(handle.db)).rows[0]!.setting;
      assert.equal(await setting('shared_buffers'), '16MB');
      assert.equal(await setting('maintenance_work_mem'), '16MB');
    } finally {
      await handle.close();
    }
  });

  it('leaves every table of Pipit and its job queue analyzed after a first start, and analyzes none again on the next', async () => {
    const config = await newConfig();
    const first = await buildCore(config);
    await first.close();
    const handle = await connect({ url: undefined, pgliteDir: pgliteDirectory(config.dataDir) });
    try {
      // Nothing left without statistics by the first start, so a restart has no ANALYZE to run.
      assert.deepEqual(await analyzeNeverAnalyzed(handle.db), []);
      // A table a later migration adds is picked up.
      await sql`CREATE TABLE footprint_probe (id int)`.execute(handle.db);
      assert.deepEqual(await analyzeNeverAnalyzed(handle.db), ['public.footprint_probe']);
      assert.deepEqual(await analyzeNeverAnalyzed(handle.db), []);
    } finally {
      await handle.close();
    }
  });
});
