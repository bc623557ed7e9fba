import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Invalid, type Account, type Core } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';

// Reading notifications marks read only what was shown: up to the newest notification on the page,
// never one that arrived after the list was read (the old "mark all" swallowed those unseen).

/** A mention of `to` by `from`, notified; the new notification's id. */
async function mention(core: Core, from: Account, to: Account, text: string): Promise<string> {
  const post = await core.posts.createPost(from.id, { text: `@${to.username} ${text}` });
  await core.notifications.notifyMentions(post.id);
  return (await core.notifications.listNotifications(to.id, { limit: 1 }))[0]!.id;
}

forEachBackend('notifications read up to what was shown', (t) => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp(t.core);
  });
  after(() => app?.close());

  describe('core', () => {
    it('marks read up to the given notification and keeps a later one unread', async () => {
      const reader = await createAccount(t.core, 'reader');
      const writer = await createAccount(t.core, 'writer');
      await mention(t.core, writer, reader, 'one');
      const shown = await mention(t.core, writer, reader, 'two');
      // The page has listed "one" and "two"; "three" arrives before it marks them read.
      const later = await mention(t.core, writer, reader, 'three');
      assert.equal(await t.core.notifications.countUnreadNotifications(reader.id), 3);
      assert.equal(await t.core.notifications.markNotificationsRead(reader.id, { upToId: shown }), 2);
      const list = await t.core.notifications.listNotifications(reader.id);
      assert.deepEqual(list.map((n) => [n.id, n.readAt === null]), [[later, true], [shown, false], [list[2]!.id, false]]);
      assert.equal(await t.core.notifications.countUnreadNotifications(reader.id), 1);
      // Again: nothing more to mark; another account's are never touched.
      assert.equal(await t.core.notifications.markNotificationsRead(reader.id, { upToId: shown }), 0);
      assert.equal(await t.core.notifications.markNotificationsRead(writer.id, { upToId: later }), 0);
      assert.equal(await t.core.notifications.countUnreadNotifications(reader.id), 1);
      await assert.rejects(t.core.notifications.markNotificationsRead(reader.id, { upToId: 'all' }), domainError(Invalid, 'upToId'));
    });

    it('counts unread notifications up to a cap', async () => {
      const reader = await createAccount(t.core, 'capped');
      const writer = await createAccount(t.core, 'chatty');
      for (let i = 0; i < 4; i++) await mention(t.core, writer, reader, `n${i}`);
      assert.equal(await t.core.notifications.countUnreadNotifications(reader.id, { cap: 3 }), 3);
      assert.equal(await t.core.notifications.countUnreadNotifications(reader.id), 4);
    });
  });

  describe('over HTTP', () => {
    async function logIn(account: Account) {
      const session = await t.core.sessions.createSession(account.id, { userAgent: 'test', ip: '127.0.0.1' });
      return { pipit_session: session };
    }

    it('leaves newer notifications unread when an older page is read, and says how many in the header', async () => {
      const reader = await createAccount(t.core, 'pager');
      const writer = await createAccount(t.core, 'poster');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await mention(t.core, writer, reader, `note ${i}`));
      const cookies = await logIn(reader);

      const home = await app.inject({ url: '/', cookies });
      assert.match(home.body, /<a href="\/notifications" class="nav-link nav-notifications"><span class="nav-label">Notifications<\/span><span class="nav-badge" aria-hidden="true">3<\/span><span class="visually-hidden">, 3 unread<\/span><\/a>/);

      // The page of the two older ones: the newest stays unread, it was not on the page.
      const older = await app.inject({ url: `/notifications?max_id=${ids[2]}`, cookies });
      assert.equal(older.statusCode, 200);
      assert.match(older.body, /note 1/);
      assert.doesNotMatch(older.body, /note 2/);
      assert.equal((older.body.match(/badge">New</g) ?? []).length, 2, 'shown as new this once');
      assert.match(older.body, /<span class="visually-hidden">, 1 unread<\/span>/, 'the header counts what is left');
      assert.equal(await t.core.notifications.countUnreadNotifications(reader.id), 1);

      // The first page shows it, then it is read too; the header has no count left.
      const first = await app.inject({ url: '/notifications', cookies });
      assert.equal((first.body.match(/badge">New</g) ?? []).length, 1);
      assert.doesNotMatch(first.body, /unread<\/span>/);
      assert.equal(await t.core.notifications.countUnreadNotifications(reader.id), 0);
    });
  });
});
