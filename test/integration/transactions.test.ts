import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Conflict, loadConfig } from '../../src/core/index.ts';
import type { CoreContext } from '../../src/core/context.ts';
import { getAccountByUsername, signUp } from '../../src/core/accounts/accounts.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { connect, type DatabaseHandle } from '../../src/core/db/connection.ts';
import { migrateToLatest } from '../../src/core/db/migrate.ts';
import { QueryOutsideTransaction } from '../../src/core/db/pglite-dialect.ts';
import { withTransaction } from '../../src/core/db/transaction.ts';
import { startBus, type Bus } from '../../src/core/jobs/bus.ts';
import { localDiskStorage } from '../../src/core/storage/local-disk.ts';
import { backends } from '../helpers/databases.ts';

// Use cases sharing one transaction (withTransaction joins the one a context carries), and on PGlite a
// root-handle query made inside an open transaction failing at once instead of waiting for itself.

const PASSWORD = 'correct horse battery staple';
const account = (username: string) => ({ username, email: `${username}@example.com`, password: PASSWORD });

/** Settles with the promise, or fails the test when it has not after `ms` (the hang being guarded against). */
function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms: it hangs`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

for (const backend of backends()) {
  describe(`shared transactions (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let handle: DatabaseHandle;
    let bus: Bus;
    let ctx: CoreContext;
    let drop: (() => Promise<void>) | undefined;

    before(async () => {
      const scratch = backend.name === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test') : undefined;
      drop = scratch?.drop;
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch?.url, DATA_DIR: '/nonexistent-not-used', LOG_LEVEL: 'silent' }, { dotenvPath: null });
      handle = await connect({ url: config.databaseUrl, pgliteDir: 'memory://' });
      await migrateToLatest(handle.db);
      bus = await startBus(handle, config, { maintenance: false });
      ctx = { db: handle.db, config, localHost: new URL(config.publicUrl).host, bus, storage: localDiskStorage('/nonexistent-not-used/media', `${config.publicUrl}/media`) };
    });
    after(async () => {
      await bus?.stop();
      await handle?.close();
      await drop?.();
    });

    it('commits every use case of the work together', async () => {
      await withTransaction(ctx, async (tx) => {
        await signUp(tx, account('tx_one'));
        await signUp(tx, account('tx_two'));
      });
      assert.equal((await getAccountByUsername(ctx, 'tx_one')).username, 'tx_one');
      assert.equal((await getAccountByUsername(ctx, 'tx_two')).username, 'tx_two');
    });

    it('rolls every one back when a later one fails: the use cases joined the caller’s transaction', async () => {
      await assert.rejects(
        withTransaction(ctx, async (tx) => {
          await signUp(tx, account('tx_kept_not'));
          await signUp(tx, account('tx_one')); // taken: Conflict
        }),
        Conflict,
      );
      await assert.rejects(getAccountByUsername(ctx, 'tx_kept_not'), /No account/);
    });

    it('joins rather than nests: the inner work gets the same transaction', async () => {
      await withTransaction(ctx, async (outer) => {
        await withTransaction(outer, async (inner) => {
          assert.equal(inner.db, outer.db);
        });
      });
    });

    it('fails at once, saying why, when the work queries the root handle inside its open transaction (PGlite)', { skip: backend.name !== 'pglite' && 'PostgreSQL gives the root query another connection' }, async () => {
      const work = withTransaction(ctx, async (tx) => {
        await signUp(tx, account('tx_rooted'));
        // The mistake: ctx (the root) where tx was meant.
        await getAccountByUsername(ctx, 'tx_rooted');
      });
      await assert.rejects(settlesWithin(work, 20_000, 'the root-handle query'), (error: unknown) => {
        assert.ok(error instanceof QueryOutsideTransaction);
        assert.match(error.message, /root database handle while this same piece of work holds an open transaction/);
        return true;
      });
      // The transaction rolled back, and the same flow's root queries work again afterwards.
      await assert.rejects(getAccountByUsername(ctx, 'tx_rooted'), /No account/);
    });

    it('lets other work query the root handle while a transaction is open: it waits, then succeeds', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let inside!: () => void;
      const started = new Promise<void>((resolve) => (inside = resolve));
      const holder = withTransaction(ctx, async (tx) => {
        await signUp(tx, account('tx_holder'));
        inside();
        await gate;
      });
      await started;
      const other = getAccountByUsername(ctx, 'tx_one');
      release();
      await holder;
      assert.equal((await other).username, 'tx_one');
      assert.equal((await getAccountByUsername(ctx, 'tx_holder')).username, 'tx_holder');
    });
  });
}
