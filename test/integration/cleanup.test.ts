import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import pino from 'pino';
import type { Core } from '../../src/core/index.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { LogCapture } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait.ts';

// Expired sessions and ended rate-limit windows (and media nobody uses: media-cleanup.test.ts) are removed
// by the hourly `cleanup` job.

const DAY = 24 * 60 * 60 * 1000;
let rules = 0;
const rule = (windowSeconds: number) => ({ name: `cleanup-test-${++rules}`, limit: 100, windowSeconds });

/** Opens `count` windows of `windowSeconds` and waits until they have ended (by the database clock). */
async function endedWindows(core: Core, count: number): Promise<void> {
  const short = rule(0.3);
  for (let i = 0; i < count; i++) await core.rateLimits.consumeRateLimit(short, `client-${i}`);
  await waitFor(async () => (await core.rateLimits.peekRateLimit(short, `client-${count - 1}`)) === 0, { what: 'the short windows to end' });
}

forEachBackend('cleanup of expired rows', (t) => {
  it('removes ended rate-limit windows in batches and keeps open ones; removes sessions once expired', async () => {
    const account = await createAccount(t.core);
    const token = await t.core.sessions.createSession(account.id);
    const open = rule(3600);
    await t.core.rateLimits.consumeRateLimit(open, 'still-counting');
    await endedWindows(t.core, 7);

    const now = await t.core.maintenance.deleteExpiredRows({ batchSize: 2 });
    assert.deepEqual(now, { sessions: 0, rateLimits: 7, oauthCodes: 0, idempotencyKeys: 0 });
    assert.equal(await t.core.rateLimits.peekRateLimit(open, 'still-counting'), 1, 'an open window is kept');
    assert.equal((await t.core.sessions.resolveSession(token))?.id, account.id, 'a live session is kept');
    assert.deepEqual(await t.core.maintenance.deleteExpiredRows(), { sessions: 0, rateLimits: 0, oauthCodes: 0, idempotencyKeys: 0 }, 'nothing left to do');

    // A month on, the session and the hour-long window have both expired.
    const later = await t.core.maintenance.deleteExpiredRows({ asOf: new Date(Date.now() + 31 * DAY) });
    assert.ok(later.sessions >= 1 && later.rateLimits >= 1, JSON.stringify(later));
    assert.equal(await t.core.sessions.resolveSession(token), undefined);
  });

  it('is scheduled by the worker every hour, and the job removes what has expired', async () => {
    const logs = new LogCapture();
    const worker = await startWorker(t.core, { logger: pino({ level: 'info' }, logs), schedules: true });
    try {
      const schedule = (await t.core.jobs.schedules()).find((s) => s.queue === 'cleanup');
      assert.deepEqual(schedule, { queue: 'cleanup', cron: '17 * * * *', timezone: 'UTC' }, 'every hour, at minute 17');

      await endedWindows(t.core, 3);
      // A file a crash left under storage two days ago, which no row names.
      const stray = join(t.config.dataDir, 'media', 'incoming', randomBytes(16).toString('hex'));
      await mkdir(dirname(stray), { recursive: true });
      await writeFile(stray, 'left behind');
      const twoDaysAgo = new Date(Date.now() - 2 * DAY);
      await utimes(stray, twoDaysAgo, twoDaysAgo);
      await t.core.jobs.send('cleanup', {});
      const done = () => logs.records().find((r) => r.msg === 'expired rows removed' && r.queue === 'cleanup');
      await waitFor(() => done() !== undefined, { what: 'the cleanup job' });
      assert.deepEqual(done()!.removed, { sessions: 0, rateLimits: 3, oauthCodes: 0, idempotencyKeys: 0 });
      const media = () => logs.records().find((r) => r.msg === 'stuck, unattached and orphaned media cleaned up' && r.queue === 'cleanup');
      await waitFor(() => media() !== undefined, { what: "the cleanup job's media part" });
      assert.deepEqual(media()!.media, { stuck: 0, unattached: 0, orphanFiles: 1, leftovers: 0 });
      await assert.rejects(stat(stray), { code: 'ENOENT' });
    } finally {
      await worker.stop();
    }
  });
});
