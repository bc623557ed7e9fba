import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { NotFound, type Account, type Core } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { backends, type OpenCore } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';

// Issue 7: replying to a post deleted at the same moment hit the foreign key and answered 500. The race
// is made deterministic: another connection deletes the row and holds its transaction open; the post is
// started, we wait until it is blocked on that row, then the delete commits. The answer must be a
// domain error (or a post without the vanished mention), never a database error.
// PGlite has one connection, so no other transaction can interleave with a post there: the race cannot
// happen on it, and this suite runs on PostgreSQL only.

const DEADLINE_MS = 15_000;

async function waitUntilBlocked(client: pg.Client): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0]!.n > 0) return;
    if (Date.now() > deadline) throw new Error(`no transaction waited on the deleted row within ${DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const backend of backends()) {
  const skip = backend.name === 'pglite' ? 'PGlite has one connection: no transaction can interleave with a post' : backend.skip;
  describe(`posting while rows are deleted (${backend.name})`, { skip: skip ?? false }, () => {
    let opened: OpenCore;
    let core: Core;
    let other: pg.Client;
    let alice: Account;
    let bob: Account;
    before(async () => {
      opened = await backend.open();
      core = opened.core;
      other = new pg.Client({ connectionString: opened.config.databaseUrl });
      await other.connect();
      alice = await createAccount(core, 'alice');
      bob = await createAccount(core, 'bob');
    });
    after(async () => {
      await other?.end();
      await opened?.close();
    });

    /** Runs `post` while `deletion` is uncommitted on the other connection, committing it once `post` waits. */
    async function duringDeletion<T>(deletion: string, params: unknown[], post: () => Promise<T>): Promise<PromiseSettledResult<T>> {
      await other.query('BEGIN');
      await other.query(deletion, params);
      const attempt = Promise.allSettled([post()]);
      try {
        await waitUntilBlocked(other);
      } finally {
        await other.query('COMMIT');
      }
      return (await attempt)[0]!;
    }

    it('refuses a reply to a post deleted meanwhile with NotFound, saving nothing', async () => {
      const parent = await core.posts.createPost(bob.id, { text: 'soon gone' });
      const before = (await core.accounts.getAccount(alice.id)).statusesCount;
      const result = await duringDeletion('DELETE FROM statuses WHERE id = $1', [parent.id], () =>
        core.posts.createPost(alice.id, { text: 'a reply', inReplyToId: parent.id }),
      );
      assert.equal(result.status, 'rejected');
      domainError(NotFound)((result as PromiseRejectedResult).reason);
      assert.equal((await core.accounts.getAccount(alice.id)).statusesCount, before);
    });

    it('publishes a post whose mentioned account is deleted meanwhile, without that mention', async () => {
      const carol = await createAccount(core, 'carol');
      const result = await duringDeletion('DELETE FROM accounts WHERE id = $1', [carol.id], () =>
        core.posts.createPost(alice.id, { text: `hi @${carol.username} and @${bob.username}` }),
      );
      assert.equal(result.status, 'fulfilled', result.status === 'rejected' ? String(result.reason) : '');
      const post = (result as PromiseFulfilledResult<Awaited<ReturnType<Core['posts']['createPost']>>>).value;
      assert.ok(!post.contentHtml.includes(`href="/@${carol.username}"`), post.contentHtml);
      assert.ok(post.contentHtml.includes(`href="/@${bob.username}"`), post.contentHtml);
    });

    it('refuses a post by an account deleted meanwhile with NotFound', async () => {
      const dave = await createAccount(core, 'dave');
      const result = await duringDeletion('DELETE FROM accounts WHERE id = $1', [dave.id], () => core.posts.createPost(dave.id, { text: 'last words' }));
      assert.equal(result.status, 'rejected');
      domainError(NotFound)((result as PromiseRejectedResult).reason);
    });
  });
}
