import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildCore, DatabaseInUse, loadConfig } from '../../src/core/index.ts';

// The embedded database on disk may be opened by one process at a time: a second opener must get a
// clear refusal rather than corrupt the data directory.
describe('embedded database lock', () => {
  const dirs: string[] = [];
  const config = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pipit-lock-'));
    dirs.push(dir);
    return loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }, { dotenvPath: null });
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second opener while the first is open, and allows it after close', async () => {
    const cfg = await config();
    const first = await buildCore(cfg);
    await assert.rejects(buildCore(cfg), (error: Error) => {
      assert.ok(error instanceof DatabaseInUse);
      assert.match(error.message, new RegExp(`in use by process ${process.pid}`));
      return true;
    });
    await first.close();
    const second = await buildCore(cfg);
    assert.equal(await second.accounts.countAccounts(), 0);
    await second.close();
  });

  it('takes over a lock left by a process that no longer exists (kill -9)', async () => {
    const cfg = await config();
    // A pid that surely is dead: a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(join(cfg.dataDir, 'db.lock'), String(dead));
    const core = await buildCore(cfg);
    assert.equal(await core.accounts.countAccounts(), 0);
    await core.close();
  });
});
