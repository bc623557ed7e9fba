import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { loadConfig } from '../../src/core/index.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { connect, type DatabaseHandle } from '../../src/core/db/connection.ts';
import { migrateToLatest } from '../../src/core/db/migrate.ts';
import type { Database } from '../../src/core/db/schema.ts';
import { startBus, type Bus } from '../../src/core/jobs/bus.ts';
import { runWithRequestId } from '../../src/core/jobs/request-context.ts';
import { backends } from '../helpers/databases.ts';

// The bus itself, below the use cases: an event published on a transaction exists exactly when the
// transaction commits, and reaches every queue subscribed to it.

async function waitingJobs(db: Kysely<Database>, queue: string): Promise<{ data: Record<string, unknown> }[]> {
  const { rows } = await sql<{ data: Record<string, unknown> }>`SELECT data FROM pgboss.job WHERE name = ${queue} AND state = 'created'`.execute(db);
  return rows;
}

for (const backend of backends()) {
  describe(`event bus (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let handle: DatabaseHandle;
    let bus: Bus;
    let drop: (() => Promise<void>) | undefined;

    before(async () => {
      const scratch = backend.name === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test') : undefined;
      drop = scratch?.drop;
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch?.url, DATA_DIR: '/nonexistent-not-used' }, { dotenvPath: null });
      handle = await connect({ url: config.databaseUrl, pgliteDir: 'memory://' });
      await migrateToLatest(handle.db);
      bus = await startBus(handle, config);
    });
    after(async () => {
      await bus?.stop();
      await handle?.close();
      await drop?.();
    });

    it('publishes nothing when the transaction rolls back', async () => {
      await assert.rejects(
        handle.db.transaction().execute(async (trx) => {
          await bus.publish(trx, 'post.created', { postId: '111', authorId: '1' });
          throw new Error('rolled back on purpose');
        }),
        /rolled back on purpose/,
      );
      assert.deepEqual(await waitingJobs(handle.db, 'notify-mentions'), []);
    });

    it('makes the job real when the transaction commits, with the request id', async () => {
      await runWithRequestId('req-abc', () =>
        handle.db.transaction().execute(async (trx) => {
          await bus.publish(trx, 'post.created', { postId: '222', authorId: '1' });
        }),
      );
      const jobs = await waitingJobs(handle.db, 'notify-mentions');
      assert.equal(jobs.length, 1);
      assert.deepEqual(jobs[0]!.data, { postId: '222', authorId: '1', reqId: 'req-abc' });
    });

    it('reaches every queue subscribed to the event, without the producer knowing them', async () => {
      await bus.subscribe('post.created', 'audit-probe');
      await handle.db.transaction().execute(async (trx) => {
        await bus.publish(trx, 'post.created', { postId: '333', authorId: '1' });
      });
      assert.equal((await waitingJobs(handle.db, 'audit-probe')).length, 1);
      assert.equal((await waitingJobs(handle.db, 'notify-mentions')).length, 2);
    });

    it('counts the queues for the admin page', async () => {
      const overview = await bus.overview();
      const notify = overview.find((q) => q.queue === 'notify-mentions')!;
      assert.equal(notify.waiting, 2);
      assert.equal(notify.active, 0);
      assert.equal(notify.deadLetter, 0);
    });
  });
}
