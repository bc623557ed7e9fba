import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { QUEUES } from '../../src/core/index.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait.ts';

// A queue that runs one job at a time per fetch loop (the slow media queues, the daily figures) drains a
// backlog without waiting for its poll: the worker polls here only every ten minutes, so a backlog that
// stalled between jobs would pass the wait's deadline and fail the test.

const DAYS = ['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06'];

forEachBackend(
  'a backlog on a one-job-at-a-time queue',
  (t) => {
    let worker: RunningWorker;
    before(async () => {
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
    });
    after(() => worker.stop());

    it('runs every queued job one after another, without a poll between them', async () => {
      assert.equal(QUEUES['daily-stats'].concurrency, 1, 'the queue under test runs one job at a time');
      for (const day of DAYS) await t.core.jobs.send('daily-stats', { day });
      const stored = await waitFor(
        async () => {
          const listed = await t.core.stats.listDailyStats({ days: DAYS.length, until: DAYS.at(-1)! });
          return listed.length === DAYS.length && listed;
        },
        { what: 'every queued day computed' },
      );
      assert.deepEqual(stored.map((row) => row.day), DAYS);
    });
  },
  { core: { jobs: { superviseIntervalSeconds: 1, pollingIntervalSeconds: 600 } } },
);
