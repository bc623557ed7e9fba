import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { previousDay, type Account, type DailyStats, type Post } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { waitFor, waitForQueuesDrained } from '../helpers/wait.ts';

// The daily figures against the same figures counted by the test itself, from what it made and the
// times the core stored for each (an account's or post's createdAt, a delivery's sentAt). The suite's
// database is fresh, so everything in it was made here. The days under test are the days those times
// fall on, never "today" by the test's clock: a run that crosses midnight (UTC) splits the figures
// over two days, and each day is then checked against its own share.

const smtp: TestSmtp = await startTestSmtp();
after(() => smtp.close());

const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

forEachBackend(
  'daily statistics',
  (t) => {
    let worker: RunningWorker;
    const accounts: Account[] = [];
    /** The posts that still exist, with how many of their mentions name an existing account. */
    const posts: { post: Post; mentions: number }[] = [];
    const sentAt: Date[] = [];
    /** Every day something was made on, oldest first (one day, unless the seeding crossed midnight). */
    let days: string[] = [];

    const expectedOn = (day: string): DailyStats => {
      const onDay = posts.filter((p) => dayOf(p.post.createdAt) === day);
      return {
        day,
        newAccounts: accounts.filter((a) => dayOf(a.createdAt) === day).length,
        activeAccounts: new Set(onDay.map((p) => p.post.account.id)).size,
        posts: onDay.length,
        replies: onDay.filter((p) => p.post.inReplyToId !== null).length,
        mentions: onDay.reduce((sum, p) => sum + p.mentions, 0),
        emailsSent: sentAt.filter((at) => dayOf(at) === day).length,
        emailsFailed: 0,
      };
    };

    before(async () => {
      worker = await startWorker(t.core, { schedules: false, mailerOptions: { connectionTimeoutMs: 2000, socketTimeoutMs: 2000 } });
      const [a, b, c, quiet] = [await createAccount(t.core, 'a'), await createAccount(t.core, 'b'), await createAccount(t.core, 'c'), await createAccount(t.core, 'quiet')];
      accounts.push(a, b, c, quiet);
      await t.core.notifications.setEmailNotifications(quiet.id, false);
      const p1 = await t.core.posts.createPost(a.id, { text: `hello @${b.username} and @${c.username} and @nobody_here` }); // nobody_here does not exist
      const p2 = await t.core.posts.createPost(a.id, { text: 'second post, no mentions' });
      const reply = await t.core.posts.createPost(b.id, { text: `@${a.username} hi back`, inReplyToId: p1.id });
      const silent = await t.core.posts.createPost(c.id, { text: `@${quiet.username} you will not get an email` });
      const doomed = await t.core.posts.createPost(c.id, { text: 'deleted before the day ends' });
      await t.core.posts.deletePost(c.id, doomed.id);
      posts.push({ post: p1, mentions: 2 }, { post: p2, mentions: 0 }, { post: reply, mentions: 1 }, { post: silent, mentions: 1 });

      // Three emails (b and c from the first post, a from the reply): wait until each is recorded
      // sent and no job is left, so the figures are final.
      const emailed = [p1.id, reply.id];
      const deliveries = await waitFor(
        async () => {
          const all = (await Promise.all(emailed.map((id) => t.core.notifications.emailDeliveriesOfPost(id)))).flat();
          return all.length === 3 && all.every((d) => d.state === 'sent') && all;
        },
        { what: 'the three mention emails recorded sent' },
      );
      await waitForQueuesDrained(t.core, ['notify-mentions', 'send-email']);
      for (const d of deliveries) sentAt.push(d.sentAt!);
      const ours = new Set(accounts.map((x) => `${x.username}@example.com`));
      assert.equal(smtp.received.filter((m) => ours.has(m.to[0]!)).length, 3, 'three emails reached the server');

      days = [...new Set([...accounts.map((x) => x.createdAt), ...posts.map((p) => p.post.createdAt), ...sentAt].map(dayOf))].sort();
    });
    after(() => worker?.stop());

    it('expects, over the days the suite ran on, exactly what it made', () => {
      const total = (key: keyof Omit<DailyStats, 'day'>) => days.reduce((sum, day) => sum + expectedOn(day)[key], 0);
      assert.ok(days.length === 1 || days.length === 2, `one day, or two across midnight: ${days.join(', ')}`);
      assert.deepEqual(
        { newAccounts: total('newAccounts'), posts: total('posts'), replies: total('replies'), mentions: total('mentions'), emailsSent: total('emailsSent') },
        { newAccounts: 4, posts: 4, replies: 1, mentions: 4, emailsSent: 3 },
      );
      if (days.length === 1) assert.equal(expectedOn(days[0]!).activeAccounts, 3);
    });

    it("computes a day's figures as counted independently", async () => {
      for (const day of days) assert.deepEqual(await t.core.stats.computeDailyStats(day), expectedOn(day), day);
    });

    it('replaces the row when a day is computed again, and lists it', async () => {
      for (const day of days) await t.core.stats.computeDailyStats(day);
      const listed = await t.core.stats.listDailyStats({ days: 30, until: days.at(-1)! });
      assert.deepEqual(listed, days.map(expectedOn));
    });

    it('runs as a job through the worker', async () => {
      // The day before anything was made: its figures are all zero.
      const empty = previousDay(new Date(`${days[0]}T00:00:00Z`));
      await t.core.jobs.send('daily-stats', { day: empty });
      const [row] = await waitFor(async () => {
        const listed = await t.core.stats.listDailyStats({ days: 1, until: empty });
        return listed.length === 1 && listed;
      }, { what: `the daily-stats job to store ${empty}` });
      assert.deepEqual(row, { day: empty, newAccounts: 0, activeAccounts: 0, posts: 0, replies: 0, mentions: 0, emailsSent: 0, emailsFailed: 0 });
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
