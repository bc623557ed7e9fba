import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { buildCore, loadConfig, type Core, type QueueCounts } from '../../src/core/index.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { createAccount } from '../helpers/accounts.ts';
import { backends } from '../helpers/databases.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { waitFor } from '../helpers/wait.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';

// A worker process killed with SIGKILL while it is in the middle of sending (the SMTP server holds
// its RCPT commands unanswered), then restarted: every mention still gets exactly one email.
// The kill lands before the server has the message; once the server has answered the end of the
// data, SMTP itself cannot tell a dead client from a live one (RFC 5321 §6.1), which is why the send
// is recorded the moment the server answers and every attempt carries the same Message-ID.
// "Exactly one" is counted once the restarted worker reports every delivery sent and its queues
// drained (nothing waiting, retrying or running), so no later duplicate could still be coming.

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'worker-process.ts');

interface WorkStatus {
  queues: QueueCounts[];
  deliveries: { state: string; attempts: number }[];
}

interface Child {
  process: ChildProcess;
  /** How the work stands, as the worker process sees it (see the fixture). */
  status(postId: string): Promise<WorkStatus>;
}

/** Every worker started, so a failed test leaves none running. */
const started: ChildProcess[] = [];

async function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, nodeArgs(FIXTURE), { env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  child.stdin!.on('error', () => {}); // a killed worker's stdin is a broken pipe; its exit is what counts
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const exitedEarly = () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited early (${child.exitCode ?? child.signalCode}): ${errors.slice(-2000)}`);
  };
  const nextLine = (prefix: string, what: string) =>
    waitFor(
      () => {
        exitedEarly();
        const at = lines.findIndex((l) => l.startsWith(prefix));
        return at >= 0 && lines.splice(0, at + 1).at(-1)!;
      },
      { what, timeoutMs: 120_000, intervalMs: 20, describe: () => errors.slice(-2000) },
    );
  await nextLine('ready', 'the worker to start');
  return {
    process: child,
    async status(postId) {
      child.stdin!.write(`status ${postId}\n`);
      const answer = JSON.parse((await nextLine('status ', 'the worker to report its status')).slice('status '.length)) as WorkStatus & { error?: string };
      if (answer.error) throw new Error(`the worker could not report: ${answer.error}`);
      return answer;
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

for (const backend of backends()) {
  describe(`worker killed mid-send (${backend.name})`, { skip: backend.skip ?? false, timeout: 600_000 }, () => {
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
      for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(started.map(exited));
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
      // Kill once every address has been tried and a send is in progress: `held === 3` at one instant
      // could be missed under load, as attempts time out and retry while the server hangs.
      const addresses = mentioned.map((a) => `${a.username}@example.com`);
      await smtp.waitFor(() => addresses.every((a) => smtp.attempted.includes(a)) && smtp.held >= 1, 60_000, 'every address tried and a send in progress');
      first.process.kill('SIGKILL');
      await exited(first.process);
      assert.equal(smtp.received.length, 0);

      smtp.hanging = false;
      const second = await startChild(env);
      await smtp.waitFor(() => smtp.received.length >= 3, 60_000, 'three emails after the restart');
      let last: WorkStatus | undefined;
      await waitFor(
        async () => {
          last = await second.status(post.id);
          const drained = last.queues.filter((q) => q.queue === 'notify-mentions' || q.queue === 'send-email').every((q) => q.waiting === 0 && q.active === 0);
          return drained && last.deliveries.length === 3 && last.deliveries.every((d) => d.state === 'sent');
        },
        { what: 'every delivery sent and the queues drained', timeoutMs: 60_000, intervalMs: 100, describe: () => JSON.stringify(last) },
      );
      second.process.kill('SIGTERM');
      await exited(second.process);

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
