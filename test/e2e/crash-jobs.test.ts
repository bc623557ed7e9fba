import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildCore, loadConfig, type Core } from '../../src/core/index.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { createAccount } from '../helpers/accounts.ts';
import { backends, POSTGRES_SKIP_REASON } from '../helpers/databases.ts';
import { exitOf, spawnPipit, waitUntilReady, type PipitProcess } from '../helpers/pipit-process.ts';
import { freePort } from '../helpers/ports.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';

// After a kill -9, the jobs the dead process was running must not wait for their whole expiry (and
// its emails for their lease): embedded, `pipit start` hands them back when it starts again, and the
// mention emails go out within seconds; on PostgreSQL a worker's heartbeat stops, and another worker
// retries the job within ~30 s although the queue's expiry is two minutes. Exactly one email per
// mention either way: every delivery ends `sent`, and the SMTP server got each one once.

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'worker-process.ts');
const [pglite, postgres] = backends();

async function mentionPost(core: Core): Promise<{ postId: string; recipients: string[] }> {
  const author = await createAccount(core, 'author');
  const mentioned = [await createAccount(core, 'ann'), await createAccount(core, 'ben'), await createAccount(core, 'cat')];
  const post = await core.posts.createPost(author.id, { text: `hi ${mentioned.map((a) => '@' + a.username).join(' ')}` });
  return { postId: post.id, recipients: mentioned.map((a) => `${a.username}@example.com`).sort() };
}

async function assertExactlyOnce(core: Core, smtp: TestSmtp, postId: string, recipients: string[]): Promise<void> {
  const deliveries = await core.notifications.emailDeliveriesOfPost(postId);
  assert.deepEqual(deliveries.map((d) => d.state), ['sent', 'sent', 'sent'], 'every delivery final: none can be sent again');
  assert.deepEqual(smtp.received.map((m) => m.to[0]).sort(), recipients, 'one email per mention, none twice');
}

describe(`jobs of a killed process come back promptly (${pglite!.name})`, { timeout: 360_000 }, () => {
  let smtp: TestSmtp;
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;
  const running: PipitProcess[] = [];
  const open = () => buildCore(loadConfig({ ...env, NODE_ENV: 'test' }, { dotenvPath: null }));

  before(async () => {
    smtp = await startTestSmtp();
    dataDir = await mkdtemp(join(tmpdir(), 'pipit-crash-jobs-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base, SMTP_URL: smtp.url, SHUTDOWN_DRAIN_SECONDS: '0', LOG_LEVEL: 'info' };
  });
  after(async () => {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited()));
    await smtp?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pipit start, killed while sending, sends the remaining emails within 10 s of starting again', async (t) => {
    let core = await open();
    const { postId, recipients } = await mentionPost(core);
    await core.close();

    smtp.hanging = true;
    const first = spawnPipit(['start'], env, dataDir);
    running.push(first);
    await waitUntilReady(first, `${base}/readyz`);
    await smtp.waitFor(() => smtp.held === 3, 60_000, 'three sends in progress').catch((error: Error) => {
      throw new Error(`${error.message}: ${first.output()}`);
    });
    first.child.kill('SIGKILL');
    await first.exited();
    assert.equal(smtp.received.length, 0);

    smtp.hanging = false;
    const second = spawnPipit(['start'], env, dataDir);
    running.push(second);
    await waitUntilReady(second, `${base}/readyz`);
    const readyAt = Date.now();
    await smtp.waitFor(() => smtp.received.length >= 3, 10_000, 'the three emails within 10 s of the restart');
    const after = Date.now() - readyAt;
    second.child.kill('SIGTERM');
    assert.equal((await second.exited()).code, 0, second.output());

    core = await open();
    try {
      await assertExactlyOnce(core, smtp, postId, recipients);
      assert.ok(after < 10_000, `emails ${after} ms after the restart`);
      t.diagnostic(`the emails arrived ${after} ms after the restarted process was ready`);
    } finally {
      await core.close();
    }
  });
});

describe(`jobs of a killed process come back promptly (${postgres!.name})`, { skip: postgres!.skip ?? false, timeout: 360_000 }, () => {
  let smtp: TestSmtp;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  const children: ChildProcess[] = [];
  const open = () => buildCore(loadConfig({ ...env, NODE_ENV: 'test' }, { dotenvPath: null }));

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, nodeArgs(FIXTURE), {
      env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', FIXTURE_QUEUE_EXPIRY: 'default', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
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

  before(async () => {
    if (!process.env.TEST_DATABASE_URL) throw new Error(POSTGRES_SKIP_REASON);
    smtp = await startTestSmtp();
    const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL, 'pipit_test');
    drop = scratch.drop;
    env = { DATABASE_URL: scratch.url, SMTP_URL: smtp.url, DATA_DIR: tmpdir() };
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exitOf));
    await smtp?.close();
    await drop?.();
  });

  it("a worker's job is retried by another within ~30 s of its death, although the queue's expiry is 120 s", async (t) => {
    let core = await open();
    const { postId, recipients } = await mentionPost(core);
    assert.equal(core.jobs.policy('send-email').expireInSeconds, 120);
    await core.close();

    smtp.hanging = true;
    // Its SMTP conversation outlasts the queue's expiry: only the lost heartbeat can free the job.
    const first = await startWorker();
    await smtp.waitFor(() => smtp.held === 3, 30_000, 'three sends in progress');
    const second = await startWorker(); // waits alongside: the job is not its to take until the first dies
    smtp.hanging = false;
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await exitOf(first);
    await smtp.waitFor(() => smtp.received.length >= 3, 45_000, 'the three emails after the heartbeat is lost');
    const after = Date.now() - killedAt;
    second.kill('SIGTERM');
    await exitOf(second);

    core = await open();
    try {
      await assertExactlyOnce(core, smtp, postId, recipients);
      assert.ok(after < 45_000, `emails ${after} ms after the kill`);
      t.diagnostic(`the emails arrived ${after} ms after the kill`);
    } finally {
      await core.close();
    }
  });
});
