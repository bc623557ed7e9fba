import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { buildCore, createScratchDatabase, loadConfig, type Core } from '../src/core/index.ts';
import { connect } from '../src/core/db/connection.ts';
import { startWorker } from '../src/worker/worker.ts';
import { startTestSmtp } from '../test/helpers/smtp.ts';

// `npm run bench:jobs`: posts BENCH_MENTION_POSTS posts with 3 mentions each through the core as fast
// as it can, with one worker running and a real SMTP server (in this process) accepting the mail, and
// reports jobs per second, commit → accepted-by-SMTP delay (p50/p99), duplicates and lost emails.
// Then the daily statistics for a day of BENCH_STATS_POSTS posts. BENCH_MODE=postgres|embedded.
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
const STATS_POSTS = int('BENCH_STATS_POSTS', MODE === 'postgres' ? 1_000_000 : 100_000);
const SERVER = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const dataDir = await mkdtemp(join(tmpdir(), 'pipit-bench-jobs-'));
const scratch = MODE === 'postgres' ? await createScratchDatabase(SERVER, 'pipit_bench') : undefined;
const smtp = await startTestSmtp();
let core: Core | undefined;
try {
  const config = loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(40), PUBLIC_URL: 'https://bench.example', DATA_DIR: dataDir, DATABASE_URL: scratch?.url, SMTP_URL: smtp.url, LOG_LEVEL: 'warn' }, { dotenvPath: null });
  core = await buildCore(config, MODE === 'embedded' ? { pgliteDir: 'memory://' } : {});
  const worker = await startWorker(core, { logger: pino({ level: 'warn' }), schedules: false });

  const authors = await Promise.all(Array.from({ length: 10 }, (_, i) => core!.accounts.signUp({ username: `author_${i}`, email: `author_${i}@bench.example`, password: 'bench-password-1234' })));
  const readers = await Promise.all(Array.from({ length: 30 }, (_, i) => core!.accounts.signUp({ username: `reader_${i}`, email: `reader_${i}@bench.example`, password: 'bench-password-1234' })));

  console.log(`Mode ${MODE}: ${POSTS} posts × 3 mentions, ${CONCURRENCY} at a time, one worker.`);
  const committed = new Map<string, number>(); // post id → when createPost returned (just after its commit)
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < POSTS) {
        const i = next++;
        const mentioned = [0, 1, 2].map((k) => readers[(i * 3 + k) % readers.length]!.username);
        const post = await core!.posts.createPost(authors[i % authors.length]!.id, { text: `post ${i} for ${mentioned.map((m) => '@' + m).join(' ')}` });
        committed.set(post.id, performance.now());
      }
    }),
  );
  const posted = performance.now();
  const wallStart = Date.now() - (performance.now() - started);
  const expected = POSTS * 3;
  const deadline = Date.now() + 300_000;
  while (smtp.received.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const lastEmail = performance.now();
  await new Promise((r) => setTimeout(r, 3000)); // room for duplicates to show up
  await worker.stop();

  // Message-ID → delivery → post → commit time.
  const deliveryPost = new Map<string, string>();
  for (const postId of committed.keys()) for (const d of await core.notifications.emailDeliveriesOfPost(postId)) deliveryPost.set(d.id, postId);
  const seen = new Map<string, number>();
  const delays: number[] = [];
  for (const mail of smtp.received) {
    const id = /^<mention-(\d+)@/.exec(mail.messageId)?.[1];
    if (!id) continue;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (seen.get(id) !== 1) continue;
    const postId = deliveryPost.get(id);
    const commit = postId ? committed.get(postId) : undefined;
    if (commit !== undefined) delays.push(mail.receivedAt - (wallStart + (commit - started)));
  }
  delays.sort((a, b) => a - b);
  const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  const lost = expected - seen.size;
  const seconds = (lastEmail - started) / 1000;
  console.log(`  posting took ${((posted - started) / 1000).toFixed(2)} s (${(POSTS / ((posted - started) / 1000)).toFixed(0)} posts/s)`);
  console.log(`  jobs: ${POSTS} notify-mentions + ${expected} send-email in ${seconds.toFixed(2)} s = ${((POSTS + expected) / seconds).toFixed(0)} jobs/s`);
  console.log(`  commit → SMTP accepted: p50 ${percentile(delays, 50).toFixed(0)} ms, p99 ${percentile(delays, 99).toFixed(0)} ms, max ${percentile(delays, 100).toFixed(0)} ms`);
  console.log(`  duplicates: ${duplicates} (must be 0); lost: ${lost} (must be 0)`);

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
