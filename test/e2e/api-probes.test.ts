import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Account } from '../../src/core/index.ts';
import { buildApp } from '../../src/web/app.ts';
import { createAccount } from '../helpers/accounts.ts';
import { ACCOUNT_KEYS, sortedKeys } from '../helpers/mastodon-entities.ts';
import { anotherToken, apiUser, type ApiUser } from '../helpers/api-user.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer } from '../helpers/oauth.ts';

// What apps call right after login (never 404 or 500), markers round trip, and the followers and
// following lists paged by Link to the end.

const PUBLIC_URL = 'https://social.example';
const EMPTY_LISTS = [
  '/api/v1/lists', '/api/v1/filters', '/api/v2/filters', '/api/v1/followed_tags', '/api/v2/suggestions', '/api/v1/blocks', '/api/v1/mutes',
  '/api/v1/domain_blocks', '/api/v1/conversations', '/api/v1/endorsements', '/api/v1/featured_tags', '/api/v1/follow_requests',
];

function nextOf(header: unknown): string | undefined {
  const match = /<([^>]+)>; rel="next"/.exec(String(header ?? ''));
  return match ? match[1]!.replace(PUBLIC_URL, '') : undefined;
}

forEachBackend(
  'API after-login probes, markers, follow lists',
  (t) => {
    let app: FastifyInstance;
    let ann: ApiUser;
    let fans: Account[];
    before(async () => {
      app = await buildApp(t.core);
      ann = await apiUser(app, t.core, { prefix: 'ann' });
      fans = [];
      for (let i = 0; i < 5; i++) {
        const fan = await createAccount(t.core, `fan${i}`);
        await t.core.follows.follow(fan.id, ann.account.id);
        fans.push(fan);
      }
    });
    after(() => app?.close());

    const get = (url: string, token: string | null = ann.token) => app.inject({ url, headers: token ? bearer(token) : {} });

    it('every probed list answers [] with a token, 401 without', async () => {
      for (const path of EMPTY_LISTS) {
        const res = await get(path);
        assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
        assert.deepEqual(res.json(), [], path);
        assert.equal((await get(path, null)).statusCode, 401, path);
      }
      assert.deepEqual((await get('/api/v1/instance/translation_languages', null)).json(), {});
      assert.equal((await get('/api/v1/lists', await anotherToken(app, ann, 'read:statuses'))).statusCode, 403);
    });

    it('markers: both keys by default, a round trip, versions counting saves, bad ids refused', async () => {
      const first = await get('/api/v1/markers?timeline[]=home&timeline[]=notifications');
      assert.equal(first.statusCode, 200);
      assert.deepEqual(first.json(), {
        home: { last_read_id: '0', version: 0, updated_at: '1970-01-01T00:00:00.000Z' },
        notifications: { last_read_id: '0', version: 0, updated_at: '1970-01-01T00:00:00.000Z' },
      });
      const post = (payload: string | object, type = 'application/json') =>
        app.inject({ method: 'POST', url: '/api/v1/markers', headers: { ...bearer(ann.token), 'content-type': type }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
      const saved = await post({ home: { last_read_id: '1234567890' } });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal(saved.json().home.last_read_id, '1234567890');
      assert.equal(saved.json().home.version, 1);
      assert.match(saved.json().home.updated_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const again = await post('home%5Blast_read_id%5D=1234567899', 'application/x-www-form-urlencoded');
      assert.equal(again.json().home.version, 2);
      const read = (await get('/api/v1/markers?timeline[]=home')).json();
      assert.equal(read.home.last_read_id, '1234567899');
      assert.equal(read.notifications.version, 0, 'the other timeline untouched');
      for (const bad of [{ home: { last_read_id: 'abc' } }, { home: 'x' }, {}, { notifications: { last_read_id: '-1' } }]) {
        assert.equal((await post(bad)).statusCode, 422, JSON.stringify(bad));
      }
      assert.equal((await get('/api/v1/markers')).json().home.last_read_id, '1234567899');
      assert.equal((await app.inject({ method: 'POST', url: '/api/v1/markers', headers: bearer(await anotherToken(app, ann, 'read')), payload: { home: { last_read_id: '1' } } })).statusCode, 403);
    });

    it('followers and following: complete Accounts, Link paging to the end, limits clamped', async () => {
      const seen: string[] = [];
      let url: string | undefined = `/api/v1/accounts/${ann.account.id}/followers?limit=2`;
      while (url) {
        const res = await get(url, null);
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as { id: string }[];
        if (page.length === 0) break;
        for (const a of page) assert.deepEqual(Object.keys(a).sort(), sortedKeys(ACCOUNT_KEYS));
        seen.push(...page.map((a) => a.id));
        url = nextOf(res.headers.link);
      }
      assert.deepEqual(seen, fans.map((f) => f.id).reverse(), 'newest follow first, each once');
      assert.equal((await get(`/api/v1/accounts/${ann.account.id}/followers?limit=0`)).json().length, 1);
      assert.equal((await get(`/api/v1/accounts/${ann.account.id}/followers?limit=500`)).json().length, 5);
      const following = await get(`/api/v1/accounts/${fans[0]!.id}/following`);
      assert.deepEqual(following.json().map((a: { id: string }) => a.id), [ann.account.id]);
      assert.equal((await get('/api/v1/accounts/123/followers')).statusCode, 404);
      assert.equal((await get('/api/v1/accounts/abc/following')).statusCode, 404);
      assert.equal((await get(`/api/v1/accounts/${ann.account.id}/followers?max_id=x`)).statusCode, 422);
    });
  },
  { env: { PUBLIC_URL, API_RATE_LIMIT: '100000' } },
);
