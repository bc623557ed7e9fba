import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildCore, DatabaseInUse, loadConfig } from '../../src/core/index.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';

// The embedded database on disk may be opened by one process at a time: a second opener must get a
// clear refusal rather than corrupt the data directory, and a lock whose holder died (kill -9, a
// container restarted with the same pid) must never keep the next start out.

const OPENER = join(import.meta.dirname, '..', 'fixtures', 'embedded-opener.ts');

interface Opener {
  child: ChildProcess;
  /** "open" or "in use", once the process has said which. */
  outcome: Promise<'open' | 'in use'>;
}

function startOpener(dataDir: string): Opener {
  const child = spawn(process.execPath, nodeArgs(OPENER), {
    env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATA_DIR: dataDir }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const outcome = new Promise<'open' | 'in use'>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opener said nothing within 60 s: ${err.slice(-2000)}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('open')) resolve('open');
      else if (out.startsWith('in use')) resolve('in use');
      else return;
      clearTimeout(timer);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`opener exited (${code}) without saying: ${err.slice(-2000)}`));
    });
  });
  return { child, outcome };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('embedded database lock', { timeout: 180_000 }, () => {
  // One data directory for the whole suite: PGlite's first start there (initdb) is the slow one.
  let dir: string | undefined;
  const children: ChildProcess[] = [];
  const config = async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'pipit-lock-'));
    return loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }, { dotenvPath: null });
  };
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    if (dir) await rm(dir, { recursive: true, force: true });
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

  it('refuses an opener in another process, naming the holder', async () => {
    const cfg = await config();
    const core = await buildCore(cfg);
    try {
      const other = startOpener(cfg.dataDir);
      children.push(other.child);
      assert.equal(await other.outcome, 'in use');
      await exited(other.child);
      assert.equal(other.child.exitCode, 3);
    } finally {
      await core.close();
    }
    // And the other way round: a live holder elsewhere keeps this process out.
    const holder = startOpener(cfg.dataDir);
    children.push(holder.child);
    assert.equal(await holder.outcome, 'open');
    await assert.rejects(buildCore(cfg), (error: Error) => error instanceof DatabaseInUse && error.message.includes(`process ${holder.child.pid}`));
    holder.child.stdin!.end();
    await exited(holder.child);
  });

  it('takes over a lock left by a process that no longer exists (kill -9)', async () => {
    const cfg = await config();
    const holder = startOpener(cfg.dataDir);
    children.push(holder.child);
    assert.equal(await holder.outcome, 'open');
    holder.child.kill('SIGKILL');
    await exited(holder.child);
    const core = await buildCore(cfg);
    assert.equal(await core.accounts.countAccounts(), 0);
    await core.close();
  });

  it('takes over a lock file of the former kind, whether its pid is dead or our own (a restarted container is pid 1 again)', async () => {
    const cfg = await config();
    for (const pid of [spawnSync(process.execPath, ['-e', '0']).pid!, process.pid]) {
      await writeFile(join(cfg.dataDir, 'db.lock'), String(pid));
      const core = await buildCore(cfg);
      assert.equal(await core.accounts.countAccounts(), 0, `lock file holding pid ${pid}`);
      await core.close();
    }
  });

  it('lets exactly one of two starters take over the same stale lock', async () => {
    const cfg = await config();
    const dead = startOpener(cfg.dataDir);
    children.push(dead.child);
    assert.equal(await dead.outcome, 'open');
    dead.child.kill('SIGKILL');
    await exited(dead.child);

    const starters = [startOpener(cfg.dataDir), startOpener(cfg.dataDir)];
    children.push(...starters.map((s) => s.child));
    const outcomes = await Promise.all(starters.map((s) => s.outcome));
    assert.deepEqual([...outcomes].sort(), ['in use', 'open']);
    for (const s of starters) s.child.stdin!.end();
    await Promise.all(starters.map((s) => exited(s.child)));
  });
});
