import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildCore, createScratchDatabase, loadConfig, type Core } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { backends } from '../helpers/databases.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';

// A worker process killed with SIGKILL while it is in the middle of sending (the SMTP server holds
// its RCPT commands unanswered), then restarted: every mention still gets exactly one email.
// The kill lands before the server has the message; once the server has answered the end of the
// data, SMTP itself cannot tell a dead client from a live one (RFC 5321 §6.1), which is why the send
// is recorded the moment the server answers and every attempt carries the same Message-ID.

const NODE = process.execPath;
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'worker-process.ts');

function startChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(NODE, [FIXTURE], { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${errors.slice(-2000)}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited early (${code}): ${errors.slice(-2000)}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

for (const backend of backends()) {
  describe(`worker killed mid-send (${backend.name})`, { skip: backend.skip ?? false, timeout: 120_000 }, () => {
    let smtp: TestSmtp;
    let dataDir: string;
    let env: Record<string, string>;
    let drop: (() => Promise<void>) | undefined;
    const open = () => buildCore(loadConfig({ ...env, NODE_ENV: 'test' }, { dotenvPath: null }));

    before(async () => {
      smtp = await startTestSmtp();
      dataDir = await mkdtemp(join(tmpdir(), 'pipit-kill-'));
      const scratch = backend.name === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test') : undefined;
      drop = scratch?.drop;
      env = { DATA_DIR: dataDir, SMTP_URL: smtp.url, ...(scratch ? { DATABASE_URL: scratch.url } : {}) };
    });
    after(async () => {
      await smtp?.close();
      await drop?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('sends exactly one email per mention after a SIGKILL and a restart', async () => {
      // PGlite is one process's database: the test writes, closes, and lets the worker have it.
      let core: Core = await open();
      const author = await createAccount(core, 'author');
      const mentioned = [await createAccount(core, 'ann'), await createAccount(core, 'ben'), await createAccount(core, 'cat')];
      const post = await core.posts.createPost(author.id, { text: `hi ${mentioned.map((a) => '@' + a.username).join(' ')}` });
      await core.close();

      smtp.hanging = true;
      const first = await startChild(env);
      await smtp.waitFor(() => smtp.held === 3, 20_000, 'three sends in progress');
      first.kill('SIGKILL');
      await exited(first);
      assert.equal(smtp.received.length, 0);

      smtp.hanging = false;
      const second = await startChild(env);
      await smtp.waitFor(() => smtp.received.length >= 3, 30_000, 'three emails after the restart');
      await new Promise((r) => setTimeout(r, 2000)); // room for a duplicate, were there one
      second.kill('SIGTERM');
      await exited(second);

      assert.equal(smtp.received.length, 3);
      assert.deepEqual(smtp.received.map((m) => m.to[0]).sort(), mentioned.map((a) => `${a.username}@example.com`).sort());
      core = await open();
      try {
        const deliveries = await core.notifications.emailDeliveriesOfPost(post.id);
        assert.deepEqual(deliveries.map((d) => d.state), ['sent', 'sent', 'sent']);
        assert.ok(deliveries.every((d) => d.attempts >= 2), 'each email was attempted again after the kill');
      } finally {
        await core.close();
      }
    });
  });
}
