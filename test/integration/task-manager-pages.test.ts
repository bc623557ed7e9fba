import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Account } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The task manager's pages: notifications, the email setting, one-click unsubscribe, statistics
// (page and JSON) and the admin view of the queues.

forEachBackend('task manager pages', (t) => {
  let app: FastifyInstance;
  let alice: Account;
  let bob: Account;
  let admin: Account;
  before(async () => {
    app = await buildApp(t.core);
    alice = await createAccount(t.core, 'alice');
    bob = await createAccount(t.core, 'bob');
    admin = await createAccount(t.core, 'admin');
    await t.core.accounts.setAdmin(admin.username, true);
  });
  after(() => app?.close());

  /** A logged-in browser: the session cookie, and the CSRF cookie and token from a page with a form. */
  async function logIn(account: Account) {
    const session = await t.core.sessions.createSession(account.id, { userAgent: 'test', ip: '127.0.0.1' });
    const cookies: Record<string, string> = { pipit_session: session };
    const page = await app.inject({ url: '/settings', cookies });
    for (const c of page.cookies) cookies[c.name] = c.value;
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    return { cookies, token };
  }

  describe('/notifications', () => {
    it('sends a logged-out visitor to log in', async () => {
      const res = await app.inject({ url: '/notifications' });
      assert.equal(res.statusCode, 303);
      assert.match(res.headers.location as string, /^\/auth\/sign_in\?return_to=%2Fnotifications/);
    });

    it('lists mentions newest first, marked new once', async () => {
      const first = await t.core.posts.createPost(bob.id, { text: `first for @${alice.username}` });
      const second = await t.core.posts.createPost(bob.id, { text: `second for @${alice.username} <b>` });
      await t.core.notifications.notifyMentions(first.id);
      await t.core.notifications.notifyMentions(second.id);
      const { cookies } = await logIn(alice);
      const res = await app.inject({ url: '/notifications', cookies });
      assert.equal(res.statusCode, 200);
      assert.ok(res.body.indexOf('second for') < res.body.indexOf('first for'), 'newest first');
      assert.match(res.body, /&lt;b&gt;/);
      assert.equal((res.body.match(/badge">New</g) ?? []).length, 2);
      const again = await app.inject({ url: '/notifications', cookies });
      assert.equal((again.body.match(/badge">New</g) ?? []).length, 0);
    });
  });

  describe('settings and unsubscribe', () => {
    it('turns email notifications off and on with a CSRF-protected form', async () => {
      const { cookies, token } = await logIn(bob);
      const noToken = await app.inject({ method: 'POST', url: '/settings', cookies, payload: { email_notifications: '' } });
      assert.equal(noToken.statusCode, 403);
      const off = await app.inject({ method: 'POST', url: '/settings', cookies, payload: { _csrf: token } });
      assert.equal(off.statusCode, 303);
      assert.deepEqual(await t.core.notifications.getNotificationSettings(bob.id), { emailNotifications: false });
      await app.inject({ method: 'POST', url: '/settings', cookies, payload: { _csrf: token, email_notifications: 'on' } });
      assert.deepEqual(await t.core.notifications.getNotificationSettings(bob.id), { emailNotifications: true });
      const page = await app.inject({ url: '/settings', cookies });
      assert.match(page.body, /name="email_notifications" value="on" checked/);
    });

    it('unsubscribes in one click without logging in, and refuses forged links', async () => {
      const link = t.core.notifications.unsubscribeUrl(alice.id);
      const path = new URL(link).pathname;
      const confirm = await app.inject({ url: path });
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /Stop mention emails\?/);
      assert.deepEqual(await t.core.notifications.getNotificationSettings(alice.id), { emailNotifications: true }, 'a GET (a link scanner) changes nothing');
      const oneClick = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      assert.equal(oneClick.statusCode, 200);
      assert.deepEqual(await t.core.notifications.getNotificationSettings(alice.id), { emailNotifications: false });
      const forged = await app.inject({ method: 'POST', url: `/unsubscribe/${bob.id}.${'A'.repeat(32)}` });
      assert.equal(forged.statusCode, 404);
      assert.deepEqual(await t.core.notifications.getNotificationSettings(bob.id), { emailNotifications: true });
    });
  });

  describe('statistics', () => {
    it('shows the last 30 days as an SVG chart and a table, and the same as JSON', async () => {
      const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
      await t.core.stats.computeDailyStats(day);
      const page = await app.inject({ url: '/about/stats' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<svg class="chart"/);
      assert.doesNotMatch(page.body, /<script|style=/);
      assert.match(page.body, new RegExp(`<time datetime="${day}">`));
      const api = await app.inject({ url: '/api/pipit/v1/stats' });
      assert.equal(api.statusCode, 200);
      const json = api.json() as { stats: { day: string; posts: number }[] };
      assert.equal(json.stats.length, 1);
      assert.equal(json.stats[0]!.day, day);
    });
  });

  describe('/admin/jobs', () => {
    it('is for administrators only', async () => {
      const { cookies } = await logIn(bob);
      assert.equal((await app.inject({ url: '/admin/jobs', cookies })).statusCode, 403);
      assert.equal((await app.inject({ url: '/admin/jobs' })).statusCode, 303);
    });

    it('shows every queue with its counts', async () => {
      const { cookies } = await logIn(admin);
      const res = await app.inject({ url: '/admin/jobs', cookies });
      assert.equal(res.statusCode, 200);
      for (const queue of ['notify-mentions', 'send-email', 'daily-stats']) assert.match(res.body, new RegExp(`<code>${queue}</code>`));
      assert.match(res.body, /Recent failures/);
    });
  });
});
