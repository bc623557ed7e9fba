import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Account } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { startWorker, type RunningWorker } from '../../src/worker/worker.ts';
import { createAccount } from '../helpers/accounts.ts';
import { anotherToken, apiUser, type ApiUser } from '../helpers/api-user.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer } from '../helpers/oauth.ts';
import { waitForQueuesDrained } from '../helpers/wait.ts';
import { ACCOUNT_KEYS, NOTIFICATION_KEYS, assertStatusShape, sortedKeys } from '../helpers/mastodon-entities.ts';

// Notifications over the API: v1 list with its filters and Link paging walked to the end, one, dismiss,
// clear, the unread count and the notifications marker, v2 grouped; made by the real bus consumers.

const PUBLIC_URL = 'https://social.example';
const QUEUES = ['notify-mentions', 'notify-follow', 'notify-favourite', 'notify-reblog'];

type Note = { id: string; type: string; account: { id: string }; status: { id: string } | null; group_key: string };

/** The URL of a Link header's `rel`, as a path the app can be asked for. */
function linkOf(header: unknown, rel: 'next' | 'prev'): string | undefined {
  const match = new RegExp(`<([^>]+)>; rel="${rel}"`).exec(String(header ?? ''));
  return match ? match[1]!.replace(PUBLIC_URL, '') : undefined;
}

forEachBackend(
  'API notifications',
  (t) => {
    let app: FastifyInstance;
    let worker: RunningWorker;
    let ann: ApiUser;
    let bob: Account;
    let carl: Account;
    let postId: string;
    before(async () => {
      app = await buildApp(t.core);
      worker = await startWorker(t.core, { logger: pino({ level: 'silent' }), schedules: false });
      ann = await apiUser(app, t.core, { prefix: 'ann' });
      bob = await createAccount(t.core, 'bob');
      carl = await createAccount(t.core, 'carl');
      postId = (await t.core.posts.createPost(ann.account.id, { text: 'notice me' })).id;
      await t.core.follows.follow(bob.id, ann.account.id);
      await t.core.interactions.favourite(bob.id, postId);
      await t.core.interactions.reblog(bob.id, postId);
      await t.core.posts.createPost(bob.id, { text: `hello @${ann.account.username}` });
      await t.core.follows.follow(carl.id, ann.account.id);
      await t.core.interactions.favourite(carl.id, postId);
      await waitForQueuesDrained(t.core, QUEUES);
    });
    after(async () => {
      await worker?.stop();
      await app?.close();
    });

    const get = (url: string, token = ann.token) => app.inject({ url, headers: bearer(token) });
    const post = (url: string, token = ann.token, payload?: object) => app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
    const list = async (query = ''): Promise<Note[]> => {
      const res = await get(`/api/v1/notifications${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    it('lists every kind, newest first, each entity complete', async () => {
      const notes = await list();
      assert.equal(notes.length, 6);
      // The consumers run in any order: the kinds, not their order, are fixed.
      assert.deepEqual(notes.map((n) => n.type).sort(), ['favourite', 'favourite', 'follow', 'follow', 'mention', 'reblog']);
      for (const n of notes) {
        assert.deepEqual(Object.keys(n).sort(), sortedKeys(NOTIFICATION_KEYS));
        assert.equal(n.group_key, `ungrouped-${n.id}`);
        assert.deepEqual(Object.keys(n.account).sort(), sortedKeys(ACCOUNT_KEYS));
        assert.equal(n.status === null, n.type === 'follow', n.type);
        if (n.status) assertStatusShape(n.status);
      }
      assert.ok(notes.some((n) => n.type === 'favourite' && n.status!.id === postId));
      const ids = notes.map((n) => BigInt(n.id));
      assert.deepEqual([...ids].sort((a, b) => (a < b ? 1 : -1)), ids, 'newest first');
    });

    it('filters: types[], exclude_types[], account_id, types Pipit never makes', async () => {
      assert.deepEqual((await list('?types[]=follow')).map((n) => n.account.id).sort(), [bob.id, carl.id].sort());
      assert.deepEqual((await list('?exclude_types[]=follow&exclude_types[]=favourite')).map((n) => n.type).sort(), ['mention', 'reblog']);
      assert.deepEqual((await list(`?account_id=${bob.id}`)).map((n) => n.type).sort(), ['favourite', 'follow', 'mention', 'reblog']);
      assert.deepEqual(await list('?types[]=poll&types[]=status'), []);
      assert.equal((await list('?types[]=mention&types[]=update')).length, 1);
      assert.equal((await list('?exclude_types[]=admin.sign_up')).length, 6);
      assert.equal((await get('/api/v1/notifications?account_id=abc')).statusCode, 422);
      assert.equal((await get('/api/v1/notifications?max_id=abc')).statusCode, 422);
    });

    it('pages with Link to the end, and min_id is exclusive', async () => {
      const all = (await list()).map((n) => n.id);
      const seen: string[] = [];
      let url: string | undefined = '/api/v1/notifications?limit=2&types[]=follow&types[]=favourite&types[]=reblog&types[]=mention';
      while (url) {
        const res = await get(url);
        assert.equal(res.statusCode, 200);
        const page = res.json() as Note[];
        if (page.length === 0) {
          assert.equal(res.headers.link, undefined, 'no Link on an empty page');
          break;
        }
        assert.ok(page.length <= 2);
        seen.push(...page.map((n) => n.id));
        assert.match(String(res.headers.link), /limit=2/);
        assert.match(String(res.headers.link), /types/);
        url = linkOf(res.headers.link, 'next');
      }
      assert.deepEqual(seen, all);
      const newer = await list(`?min_id=${all[3]}&limit=2`);
      assert.deepEqual(newer.map((n) => n.id), [all[1], all[2]]);
      assert.deepEqual((await list(`?since_id=${all[3]}`)).map((n) => n.id), all.slice(0, 3));
      assert.equal((await list('?limit=0')).length, 1, 'limit clamped up to 1');
      assert.equal((await list('?limit=100000')).length, 6, 'limit clamped down');
    });

    it('one notification; another account\'s or a malformed id is 404', async () => {
      const [first] = await list();
      const res = await get(`/api/v1/notifications/${first!.id}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().id, first!.id);
      const other = await apiUser(app, t.core, { prefix: 'other' });
      assert.equal((await get(`/api/v1/notifications/${first!.id}`, other.token)).statusCode, 404);
      assert.equal((await post(`/api/v1/notifications/${first!.id}/dismiss`, other.token)).statusCode, 404);
      assert.equal((await get('/api/v1/notifications/nope')).statusCode, 404);
      assert.equal((await get(`/api/v1/notifications/${first!.id}`)).statusCode, 200, 'still there');
    });

    it('unread count and the notifications marker agree', async () => {
      const notes = await list();
      assert.deepEqual((await get('/api/v1/notifications/unread_count')).json(), { count: 6 });
      const saved = await post('/api/v1/markers', ann.token, { notifications: { last_read_id: notes[1]!.id } });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal(saved.json().notifications.last_read_id, notes[1]!.id);
      assert.deepEqual((await get('/api/v1/notifications/unread_count')).json(), { count: 1 });
      assert.deepEqual((await get('/api/v2/notifications/unread_count')).json(), { count: 1 });
    });

    it('v2 grouped: one group per notification, each account and status once', async () => {
      const res = await get('/api/v2/notifications?limit=4');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['accounts', 'notification_groups', 'statuses']);
      const v1 = await list('?limit=4');
      assert.deepEqual(body.notification_groups.map((g: { group_key: string }) => g.group_key), v1.map((n) => n.group_key));
      for (const g of body.notification_groups) {
        assert.equal(g.notifications_count, 1);
        assert.ok(body.accounts.some((a: { id: string }) => a.id === g.sample_account_ids[0]));
        if (g.status_id) assert.ok(body.statuses.some((s: { id: string }) => s.id === g.status_id));
      }
      assert.equal(new Set(body.accounts.map((a: { id: string }) => a.id)).size, body.accounts.length);
      assert.ok(linkOf(res.headers.link, 'next'));
      const one = await get(`/api/v2/notifications/${v1[0]!.group_key}`);
      assert.equal(one.json().most_recent_notification_id, v1[0]!.id);
      assert.equal((await get('/api/v2/notifications/grouped-1')).statusCode, 404);
    });

    it('scopes: read:statuses cannot read them; read cannot dismiss', async () => {
      const statusesOnly = await anotherToken(app, ann, 'read:statuses');
      assert.equal((await get('/api/v1/notifications', statusesOnly)).statusCode, 403);
      const read = await anotherToken(app, ann, 'read');
      const [first] = await list();
      assert.equal((await post(`/api/v1/notifications/${first!.id}/dismiss`, read)).statusCode, 403);
      assert.equal((await post('/api/v1/notifications/clear', read)).statusCode, 403);
      assert.equal((await app.inject({ url: '/api/v1/notifications' })).statusCode, 401);
    });

    it('dismiss one, then clear all: {} each time', async () => {
      const [first] = await list();
      const dismissed = await post(`/api/v1/notifications/${first!.id}/dismiss`);
      assert.equal(dismissed.statusCode, 200);
      assert.deepEqual(dismissed.json(), {});
      assert.equal((await get(`/api/v1/notifications/${first!.id}`)).statusCode, 404);
      assert.equal((await post(`/api/v1/notifications/${first!.id}/dismiss`)).statusCode, 404);
      assert.equal((await list()).length, 5);
      const cleared = await post('/api/v1/notifications/clear');
      assert.deepEqual(cleared.json(), {});
      assert.deepEqual(await list(), []);
      assert.equal((await list()).length, 0);
      assert.deepEqual((await get('/api/v2/notifications')).json(), { accounts: [], statuses: [], notification_groups: [] });
    });
  },
  { env: { PUBLIC_URL, API_RATE_LIMIT: '100000' } },
);
