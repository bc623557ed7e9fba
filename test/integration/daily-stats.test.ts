import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { previousDay } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';

// The daily figures of a seeded day against the same figures counted by the test itself. The day
// seeded is today (UTC): the suite's database is fresh, so everything in it was made here.

const smtp: TestSmtp = await startTestSmtp();
after(() => smtp.close());

forEachBackend(
  'daily statistics',
  (t) => {
    let worker: RunningWorker;
    const today = new Date().toISOString().slice(0, 10);
    const expected = { newAccounts: 0, activeAccounts: 0, posts: 0, replies: 0, mentions: 0, emailsSent: 0, emailsFailed: 0 };

    before(async () => {
      worker = await startWorker(t.core, { schedules: false, mailerOptions: { connectionTimeoutMs: 2000, socketTimeoutMs: 2000 } });
      const [a, b, c, quiet] = [await createAccount(t.core, 'a'), await createAccount(t.core, 'b'), await createAccount(t.core, 'c'), await createAccount(t.core, 'quiet')];
      await t.core.notifications.setEmailNotifications(quiet!.id, false);
      expected.newAccounts = 4;
      const p1 = await t.core.posts.createPost(a!.id, { text: `hello @${b!.username} and @${c!.username} and @nobody_here` }); // 2 mentions (nobody_here does not exist)
      await t.core.posts.createPost(a!.id, { text: 'second post, no mentions' });
      await t.core.posts.createPost(b!.id, { text: `@${a!.username} hi back`, inReplyToId: p1.id }); // a reply, 1 mention
      await t.core.posts.createPost(c!.id, { text: `@${quiet!.username} you will not get an email` }); // 1 mention, no email
      const doomed = await t.core.posts.createPost(c!.id, { text: 'deleted before the day ends' });
      await t.core.posts.deletePost(c!.id, doomed.id);
      Object.assign(expected, { activeAccounts: 3, posts: 4, replies: 1, mentions: 4, emailsSent: 3 });
      // Wait for the three emails (b and c from the first post, a from the reply).
      await smtp.waitFor(() => smtp.received.filter((m) => m.to[0]!.endsWith('@example.com')).length >= 3, 15_000, 'three emails');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const sent = (await Promise.all([p1.id].map((id) => t.core.notifications.emailDeliveriesOfPost(id)))).flat().filter((d) => d.state === 'sent');
        if (sent.length === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    after(() => worker?.stop());

    it("computes a day's figures as counted independently", async () => {
      // Sent is recorded just after the server accepts: give the last one a moment.
      let stats = await t.core.stats.computeDailyStats(today);
      for (let i = 0; i < 50 && stats.emailsSent < expected.emailsSent; i++) {
        await new Promise((r) => setTimeout(r, 50));
        stats = await t.core.stats.computeDailyStats(today);
      }
      assert.deepEqual(stats, { day: today, ...expected });
    });

    it('replaces the row when a day is computed again, and lists it', async () => {
      await t.core.stats.computeDailyStats(today);
      const listed = await t.core.stats.listDailyStats({ days: 30, until: today });
      assert.deepEqual(listed, [{ day: today, ...expected }]);
    });

    it('runs as a job through the worker', async () => {
      const yesterday = previousDay();
      await t.core.jobs.send('daily-stats', { day: yesterday });
      const deadline = Date.now() + 10_000;
      let listed = await t.core.stats.listDailyStats({ days: 2, until: today });
      while (listed.length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        listed = await t.core.stats.listDailyStats({ days: 2, until: today });
      }
      assert.deepEqual(listed[0], { day: yesterday, newAccounts: 0, activeAccounts: 0, posts: 0, replies: 0, mentions: 0, emailsSent: 0, emailsFailed: 0 });
    });

    it('finds the days a backfill must compute', async () => {
      const missing = await t.core.stats.missingStatsDays('2026-01-01', '2026-01-05');
      assert.deepEqual(missing, ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05']);
      await t.core.stats.computeDailyStats('2026-01-03');
      assert.deepEqual(await t.core.stats.missingStatsDays('2026-01-01', '2026-01-05'), ['2026-01-01', '2026-01-02', '2026-01-04', '2026-01-05']);
      await assert.rejects(t.core.stats.computeDailyStats('2026-02-30'), /YYYY-MM-DD/);
    });
  },
  { env: { SMTP_URL: smtp.url }, core: { jobs: { superviseIntervalSeconds: 1, pollingIntervalSeconds: 0.5 } } },
);
