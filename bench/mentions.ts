import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { buildCore, loadConfig, type Core } from '../src/core/index.ts';
import { createScratchDatabase } from '../src/core/db/scratch-database.ts';
import { connect } from '../src/core/db/connection.ts';
import { startWorker } from '../src/worker/worker.ts';
import { fork } from 'node:child_process';
import { startTestSmtp } from '../test/helpers/smtp.ts';

// `npm run bench:jobs`: posts BENCH_MENTION_POSTS posts with 3 mentions each through the core, with one
// worker running (in this process) and a real SMTP server (in a child process of its own, so it takes
// no CPU time from the worker's event loop) accepting the mail, and reports jobs per second,
// commit → accepted-by-SMTP delay (p50/p99), duplicates and lost emails. Two runs: as fast as the
// producer can (which measures how far a backlog builds when posting outpaces one worker), then at a
// sustained offered rate of BENCH_RATE posts/s (a list: default 100,250; 0 skips it), which measures the delay a
// post sees when the worker keeps up. Then the daily statistics for a day of BENCH_STATS_POSTS posts.
// BENCH_MODE=postgres|embedded; BENCH_WORKER=child (default; PostgreSQL only) runs the worker in its own
// process, as `pipit worker` does, BENCH_WORKER=inline in the producing process, as `pipit start` does.
// Targets (issue 3): p50 ≤ 200 ms, p99 ≤ 1 s on PostgreSQL with one worker; stats of 1,000,000 posts ≤ 10 s.

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${name} must be a whole number`);
    process.exit(2);
  }
  return n;
}

const MODE = process.env.BENCH_MODE === 'embedded' ? 'embedded' : 'postgres';
const POSTS = int('BENCH_MENTION_POSTS', 1000);
const CONCURRENCY = int('BENCH_CONCURRENCY', 16);
const RATES = (process.env.BENCH_RATE || '100,250').split(',').map((r) => {
  const n = Number(r.trim());
  if (!Number.isInteger(n) || n < 0) {
    console.error('BENCH_RATE must be whole numbers of posts per second, separated by commas');
    process.exit(2);
  }
  return n;
});
// `child` (PostgreSQL only): the worker runs in its own process, as `pipit worker` does; `inline`: in this one, as `pipit start`.
const WORKER = process.env.BENCH_WORKER === 'inline' ? 'inline' : 'child';
const STATS_POSTS = int('BENCH_STATS_POSTS', MODE === 'postgres' ? 1_000_000 : 100_000);
const SERVER = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

interface Received {
  messageId: string;
  receivedAt: number;
}

// The SMTP server's own process: it reports each accepted message (Message-ID and time) to the parent.
if (process.argv[2] === '--smtp-child') {
  const smtp = await startTestSmtp();
  let sent = 0;
  const flush = () => {
    if (smtp.received.length > sent) {
      process.send!(smtp.received.slice(sent).map((m) => ({ messageId: m.messageId, receivedAt: m.receivedAt })));
      sent = smtp.received.length;
    }
  };
  const timer = setInterval(flush, 20);
  process.on('message', (message) => {
    if (message === 'close') {
      clearInterval(timer);
      flush();
      void smtp.close().then(() => process.exit(0));
    }
  });
  process.once('disconnect', () => process.exit(1)); // the parent died without saying close
  process.send!({ url: smtp.url });
  await new Promise(() => {}); // until the parent says close
}

// The worker's own process (PostgreSQL only), as `pipit worker` runs beside the web process in production.
if (process.argv[2] === '--worker-child') {
  const core = await buildCore(loadConfig(JSON.parse(process.env.BENCH_WORKER_ENV!) as Record<string, string>, { dotenvPath: null }), { migrate: false });
  const worker = await startWorker(core, { logger: pino({ level: 'warn' }), schedules: false });
  process.on('message', (message) => {
    if (message === 'close') void worker.stop().then(() => core.close()).then(() => process.exit(0));
  });
  process.once('disconnect', () => process.exit(1)); // the parent died without saying close
  process.send!('ready');
  await new Promise(() => {}); // until the parent says close
}

/** Starts the worker in a child process on the database of `env`. */
async function startWorkerChild(env: Record<string, string | undefined>): Promise<{ stop(): Promise<void> }> {
  const child = fork(process.argv[1]!, ['--worker-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_WORKER_ENV: JSON.stringify(env) } });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`worker child exited (${code})`)));
    child.once('message', () => resolve());
  });
  child.removeAllListeners('exit');
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

/** Starts the SMTP server in a child process; `received` fills as it accepts messages. */
async function startSmtpChild(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const child = fork(process.argv[1]!, ['--smtp-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const received: Received[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: { url: string } | Received[]) => {
      if (Array.isArray(message)) received.push(...message);
      else resolve(message.url);
    });
  });
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const dataDir = await mkdtemp(join(tmpdir(), 'pipit-bench-jobs-'));
const scratch = MODE === 'postgres' ? await createScratchDatabase(SERVER, 'pipit_bench') : undefined;
const smtp = await startSmtpChild();
let core: Core | undefined;
try {
  const env = { NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(40), PUBLIC_URL: 'https://bench.example', DATA_DIR: dataDir, DATABASE_URL: scratch?.url, SMTP_URL: smtp.url, LOG_LEVEL: 'warn' };
  core = await buildCore(loadConfig(env, { dotenvPath: null }), MODE === 'embedded' ? { pgliteDir: 'memory://' } : {});
  const workerInChild = WORKER === 'child' && MODE === 'postgres';
  const worker = workerInChild ? await startWorkerChild(env) : await startWorker(core, { logger: pino({ level: 'warn' }), schedules: false });
  console.log(`Worker in ${workerInChild ? 'a child process of its own' : 'the producing process'}; SMTP server in a child process.`);

  const authors = await Promise.all(Array.from({ length: 10 }, (_, i) => core!.accounts.signUp({ username: `author_${i}`, email: `author_${i}@bench.example`, password: 'bench-password-1234' })));
  const readers = await Promise.all(Array.from({ length: 30 }, (_, i) => core!.accounts.signUp({ username: `reader_${i}`, email: `reader_${i}@bench.example`, password: 'bench-password-1234' })));
  const expected = POSTS * 3;

  /** Posts POSTS posts (at `rate` posts/s, or as fast as it can when 0) and waits for their emails. */
  const run = async (label: string, rate: number) => {
    console.log(`Mode ${MODE}, ${label}: ${POSTS} posts × 3 mentions, ${CONCURRENCY} at a time, one worker.`);
    const committed = new Map<string, number>(); // post id → when createPost returned (just after its commit), ms since the epoch
    const before = smtp.received.length;
    const started = performance.now();
    const wallStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < POSTS) {
          const i = next++;
          if (rate > 0) {
            const wait = started + (i * 1000) / rate - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          const mentioned = [0, 1, 2].map((k) => readers[(i * 3 + k) % readers.length]!.username);
          const post = await core!.posts.createPost(authors[i % authors.length]!.id, { text: `${label}: post ${i} for ${mentioned.map((m) => '@' + m).join(' ')}` });
          committed.set(post.id, wallStart + (performance.now() - started));
        }
      }),
    );
    const posted = performance.now();
    const deadline = Date.now() + 300_000;
    while (smtp.received.length - before < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { label, committed, started, posted, lastEmail: performance.now() };
  };

  const runs = [await run('as fast as it can', 0)];
  for (const rate of RATES.filter((r) => r > 0)) runs.push(await run(`offered at ${rate} posts/s`, rate));
  await new Promise((r) => setTimeout(r, 3000)); // room for duplicates to show up
  await worker.stop();

  // Message-ID → delivery → its run and post's commit time.
  const deliveries = new Map<string, { run: (typeof runs)[number]; commit: number }>();
  for (const r of runs) for (const [postId, commit] of r.committed) for (const d of await core.notifications.emailDeliveriesOfPost(postId)) deliveries.set(d.id, { run: r, commit });
  const seen = new Map<string, number>();
  const delays = new Map(runs.map((r) => [r, [] as number[]]));
  for (const mail of smtp.received) {
    const id = /^<mention-(\d+)@/.exec(mail.messageId)?.[1];
    if (!id) continue;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const delivery = deliveries.get(id);
    if (delivery && seen.get(id) === 1) delays.get(delivery.run)!.push(mail.receivedAt - delivery.commit);
  }
  for (const r of runs) {
    const d = delays.get(r)!.sort((a, b) => a - b);
    const ids = [...deliveries.entries()].filter(([, v]) => v.run === r).map(([id]) => id);
    const duplicates = ids.reduce((n, id) => n + Math.max(0, (seen.get(id) ?? 0) - 1), 0);
    const lost = expected - ids.filter((id) => seen.has(id)).length;
    const seconds = (r.lastEmail - r.started) / 1000;
    console.log(`${r.label}:`);
    console.log(`  posting took ${((r.posted - r.started) / 1000).toFixed(2)} s (${(POSTS / ((r.posted - r.started) / 1000)).toFixed(0)} posts/s)`);
    console.log(`  ${POSTS} notify-mentions + ${POSTS} send-email jobs (${expected} emails) in ${seconds.toFixed(2)} s = ${((2 * POSTS) / seconds).toFixed(0)} jobs/s, ${(expected / seconds).toFixed(0)} emails/s`);
    console.log(`  commit → SMTP accepted: p50 ${percentile(d, 50).toFixed(0)} ms, p99 ${percentile(d, 99).toFixed(0)} ms, max ${percentile(d, 100).toFixed(0)} ms`);
    console.log(`  duplicates: ${duplicates} (must be 0); lost: ${lost} (must be 0)`);
  }
  const strays = [...seen.keys()].filter((id) => !deliveries.has(id)).length;
  if (strays > 0) console.log(`  ${strays} emails for deliveries of no run (must be 0)`);

  if (STATS_POSTS > 0) {
    // A synthetic day straight into the tables: STATS_POSTS posts over 1,000 accounts, a third of them
    // replies, one mention in every other post.
    const handle = await connect({ url: scratch?.url, pgliteDir: 'memory://' });
    const day = '2025-06-15';
    if (MODE === 'postgres') {
      const t0 = performance.now();
      await sql`INSERT INTO accounts (username, email, password_hash, created_at)
        SELECT 'stat_' || g, 'stat_' || g || '@bench.example', 'x', ${day}::date + (g % 86400) * interval '1 second' FROM generate_series(1, 1000) g`.execute(handle.db);
      await sql`INSERT INTO statuses (account_id, text, content_html, created_at)
        SELECT a.id, 'synthetic', '<p>synthetic</p>', ${day}::date + (g % 86400) * interval '1 second'
        FROM generate_series(1, ${STATS_POSTS}) g JOIN (SELECT id, row_number() OVER () AS n FROM accounts WHERE username LIKE 'stat_%') a ON a.n = 1 + g % 1000`.execute(handle.db);
      await sql`UPDATE statuses SET in_reply_to_id = (SELECT min(id) FROM statuses WHERE text = 'synthetic') WHERE created_at >= ${day}::date AND created_at < ${day}::date + 1 AND id % 3 = 0`.execute(handle.db);
      await sql`INSERT INTO mentions (status_id, account_id)
        SELECT s.id, (SELECT id FROM accounts ORDER BY id LIMIT 1) FROM statuses s WHERE s.created_at >= ${day}::date AND s.created_at < ${day}::date + 1 AND s.id % 2 = 0`.execute(handle.db);
      await sql`ANALYZE`.execute(handle.db);
      console.log(`  seeded ${STATS_POSTS} posts on ${day} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const t1 = performance.now();
      const stats = await core.stats.computeDailyStats(day);
      console.log(`  daily statistics for ${day}: ${((performance.now() - t1) / 1000).toFixed(2)} s (target ≤ 10 s) → ${JSON.stringify(stats)}`);
    } else {
      console.log('  (daily statistics timing runs on PostgreSQL only: BENCH_MODE=postgres)');
    }
    await handle.close();
  }
} finally {
  await core?.close();
  await smtp.close();
  await scratch?.drop();
  await rm(dataDir, { recursive: true, force: true });
}
