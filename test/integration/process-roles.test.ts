import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../src/web/app.ts';
import { backends, forEachBackend, type OpenCore } from '../helpers/databases.ts';

// What each kind of process runs: only workers run the job queue's maintenance (expiry, retention)
// and its cron schedules; web processes and one-shot commands do not. And readiness reads the
// migration catalogue at start only: a probe is one database round trip.

forEachBackend('process roles', (t) => {
  it("a web process registers with the job queue without maintenance or schedules; 'all' and workers with both", async () => {
    const mine = (await t.core.jobs.processes()).filter((p) => p.pid === process.pid && p.live);
    assert.deepEqual(
      mine.map((p) => [p.name, p.maintenance, p.schedules]),
      [['pipit-web', false, false]],
    );
  });
}, { core: { role: 'web' } });

for (const backend of backends()) {
  describe(`a worker's role (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let opened: OpenCore;
    before(async () => {
      opened = await backend.open({}, { role: 'worker' });
    });
    after(() => opened?.close());
    it('runs maintenance and schedules', async () => {
      const mine = (await opened.core.jobs.processes()).filter((p) => p.pid === process.pid && p.live);
      assert.deepEqual(mine.map((p) => [p.name, p.maintenance, p.schedules]), [['pipit-worker', true, true]]);
    });
  });
}

forEachBackend('readiness', (t) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  before(async () => {
    app = await buildApp(t.core);
  });
  after(() => app.close());

  it('is up once migrated', async () => {
    const res = await app.inject({ url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'UP' });
  });

  it('does not read the migration catalogue at each probe (it stays up while the catalogue is locked)', async (c) => {
    if (t.backend.name !== 'postgres') return c.skip('needs a second connection to the database, which only PostgreSQL has');
    const other = new pg.Client({ connectionString: t.config.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('LOCK TABLE pipit_migrations IN ACCESS EXCLUSIVE MODE');
      const res = await Promise.race([
        app.inject({ url: '/readyz' }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('readiness waited for the locked migration catalogue')), 5_000).unref()),
      ]);
      assert.equal(res.statusCode, 200, res.body);
    } finally {
      await other.query('ROLLBACK').catch(() => {});
      await other.end();
    }
  });
});
