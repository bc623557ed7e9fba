import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildCore, loadConfig } from '../../src/core/index.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { SEED_PASSWORD } from '../../src/core/seed/seed.ts';
import { backends } from '../helpers/databases.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';

// The `pipit` command as people run it: a process of its own, its exit code and what it prints.
// Each run starts in an empty temporary directory (so no .env is read) with NODE_ENV=test and only
// the variables given here; the database is an embedded one in a temporary DATA_DIR, and a scratch
// PostgreSQL database too when TEST_DATABASE_URL is set.

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
/**
 * How long a command may take before the test fails: generous, since opening a fresh embedded database
 * takes a few seconds alone and many times that on a loaded machine.
 */
const DEADLINE_MS = 180_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `pipit …args` to completion, feeding `input` on stdin (stdin is empty, not a terminal, otherwise). */
function pipit(args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  const child = spawn(process.execPath, nodeArgs(MAIN, args), {
    cwd: env.DATA_DIR ?? tmpdir(),
    env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pipit ${args.join(' ')} did not finish in ${DEADLINE_MS / 1000} s\n${stdout}\n${stderr}`));
    }, DEADLINE_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Non-empty lines of a stream's output. */
const lines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

describe('pipit: command line and configuration errors', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pipit-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('exits with 2 and one line naming the variable when the configuration is wrong', async () => {
    const run = await pipit(['migrate'], { DATA_DIR: dir, PORT: 'abc' });
    assert.equal(run.code, 2);
    assert.deepEqual(lines(run.stderr), ['pipit: configuration error: PORT: must be a port number (got "abc")']);
    assert.equal(run.stdout, '');
  });

  it('`pipit worker` refuses a queue name it does not know, listing the queues there are', async () => {
    const run = await pipit(['worker'], { DATA_DIR: dir, WORKER_QUEUES: 'media-probe,video' });
    assert.equal(run.code, 2);
    assert.equal(lines(run.stderr).length, 1);
    assert.match(run.stderr, /^pipit: configuration error: WORKER_QUEUES: "video" is not a queue; the queues are: notify-mentions, .*media-probe, media-image/);
  });

  it('never echoes a secret in a configuration error', async () => {
    const run = await pipit(['migrate'], { DATA_DIR: dir, DATABASE_URL: 'mysql://root:hunter2@db/pipit' });
    assert.equal(run.code, 2);
    assert.equal(lines(run.stderr).length, 1);
    assert.match(run.stderr, /^pipit: configuration error: DATABASE_URL: /);
    assert.doesNotMatch(run.stderr, /hunter2/);
  });

  it('exits with 2 and a usage line for an unknown command or a bad flag', async () => {
    const unknown = await pipit(['frobnicate'], { DATA_DIR: dir });
    assert.equal(unknown.code, 2);
    assert.deepEqual(lines(unknown.stderr), ['pipit: unknown command "frobnicate"', 'usage: pipit <command> [options]   (pipit help lists the commands)']);

    const badFlag = await pipit(['seed', '--accounts', 'many'], { DATA_DIR: dir });
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--accounts must be a whole number/);
    assert.match(badFlag.stderr, /^usage: pipit seed /m);

    const unknownFlag = await pipit(['user', 'admin', 'alice', '--root'], { DATA_DIR: dir });
    assert.equal(unknownFlag.code, 2);
    assert.match(unknownFlag.stderr, /Unknown option '--root'/);
    assert.match(unknownFlag.stderr, /^usage: pipit user admin <username> \[--revoke\]$/m);
  });

  it('prints help, for everything and for one command', async () => {
    const all = await pipit(['help'], { DATA_DIR: dir });
    assert.equal(all.code, 0);
    for (const command of ['start', 'web', 'migrate', 'seed', 'user create', 'user admin', 'user reset-password']) {
      assert.match(all.stdout, new RegExp(`^  pipit ${command}\\b`, 'm'), command);
    }
    const one = await pipit(['user', 'create', '--help'], { DATA_DIR: dir });
    assert.equal(one.code, 0);
    assert.match(one.stdout, /^usage: pipit user create <username> <email> \[--admin\] \[--password-stdin\]$/m);
  });
});

for (const backend of backends()) {
  describe(`pipit: database commands (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let dir: string;
    let env: Record<string, string>;
    let dropScratch: (() => Promise<void>) | undefined;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pipit-cli-'));
      env = { DATA_DIR: dir };
      if (backend.name === 'postgres') {
        const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test');
        env.DATABASE_URL = scratch.url;
        dropScratch = () => scratch.drop();
      }
    });
    after(async () => {
      await dropScratch?.();
      await rm(dir, { recursive: true, force: true });
    });

    it('migrates, and says so; a second time there is nothing to do', async () => {
      const first = await pipit(['migrate'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^Applied \d+ migrations?: 0001-initial/);
      const second = await pipit(['migrate'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /up to date/);
    });

    it('creates an account with the password from stdin; a duplicate fails with 1 and a clear message', async () => {
      const created = await pipit(['user', 'create', 'Alice', 'alice@example.com', '--admin', '--password-stdin'], env, 'correct horse battery\n');
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /^Created admin account @alice \(id \d+\)\.$/m);
      assert.equal(created.stderr, '');

      const duplicate = await pipit(['user', 'create', 'alice', 'other@example.com', '--password-stdin'], env, 'another password\n');
      assert.equal(duplicate.code, 1);
      assert.deepEqual(lines(duplicate.stderr), ['pipit: That username is taken. Try another one.']);

      const weak = await pipit(['user', 'create', 'bob', 'bob@example.com', '--password-stdin'], env, 'short\n');
      assert.equal(weak.code, 1);
      assert.deepEqual(lines(weak.stderr), ['pipit: Passwords need at least 8 characters.']);
    });

    it('refuses to wait for a password when stdin is not a terminal and --password-stdin is missing', async () => {
      const run = await pipit(['user', 'create', 'carol', 'carol@example.com'], env);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--password-stdin/);
    });

    it('grants and revokes admin, and reports an unknown username with 1', async () => {
      const revoked = await pipit(['user', 'admin', 'alice', '--revoke'], env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /@alice is no longer an admin\./);
      const missing = await pipit(['user', 'admin', 'nobody'], env);
      assert.equal(missing.code, 1);
      assert.deepEqual(lines(missing.stderr), ['pipit: No account named nobody.']);
    });

    it('resets a password from stdin, which then logs in (the trailing newline is not part of it)', async () => {
      const run = await pipit(['user', 'reset-password', 'alice', '--password-stdin'], env, 'a brand new password\n');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Changed the password of @alice/);
      const core = await buildCore(loadConfig({ NODE_ENV: 'test', ...env }, { dotenvPath: null }));
      try {
        const account = await core.accounts.authenticate('alice', 'a brand new password');
        assert.equal(account.username, 'alice');
        assert.equal(account.isAdmin, false);
      } finally {
        await core.close();
      }
    });

    it('seeds accounts and posts and reports what it made and the seed password', async () => {
      const run = await pipit(['seed', '--accounts', '5', '--posts', '20'], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Seeded 5 accounts and 20 posts in [\d.]+ s \((pglite|postgres)\)\.$/m);
      assert.ok(run.stdout.includes(SEED_PASSWORD), run.stdout);
    });

    it('serves until SIGTERM, then shuts down gracefully with exit code 0', async () => {
      const child = spawn(process.execPath, nodeArgs(MAIN, ['start']), {
        cwd: dir,
        env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      try {
        const address = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`not listening after ${DEADLINE_MS / 1000} s\n${stdout}\n${stderr}`)), DEADLINE_MS);
          child.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
            const found = /"address":"(http:\/\/[^"]+)"/.exec(stdout);
            if (found) {
              clearTimeout(timer);
              resolve(found[1]!);
            }
          });
          void closed.then((code) => reject(new Error(`exited early with ${code}\n${stdout}\n${stderr}`)));
        });
        const page = await fetch(`${address}/`);
        assert.equal(page.status, 200);
        await page.arrayBuffer();
        child.kill('SIGTERM');
        assert.equal(await closed, 0, stderr);
        const messages = lines(stdout).flatMap((line) => {
          try {
            return [(JSON.parse(line) as { msg?: string }).msg];
          } catch {
            return [];
          }
        });
        assert.ok(messages.includes('Shutting down'), stdout);
        assert.equal(messages.at(-1), 'Database closed', stdout);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}
