import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { anotherToken, apiUser, type ApiUser } from '../helpers/api-user.ts';
import { bearer } from '../helpers/oauth.ts';
import { ACCOUNT_KEYS, RELATIONSHIP_KEYS, sortedKeys } from '../helpers/mastodon-entities.ts';

// The accounts side of the Mastodon API over HTTP: verify_credentials, get, lookup, relationships,
// follow and unfollow, followers/following with Link paging, and the refusals.

const PUBLIC_URL = 'https://social.example';

forEachBackend(
  'API accounts',
  (t) => {
    let app: FastifyInstance;
    let ann: ApiUser;
    let bob: ApiUser;
    before(async () => {
      app = await buildApp(t.core);
      ann = await apiUser(app, t.core, { prefix: 'ann' });
      bob = await apiUser(app, t.core, { prefix: 'bob' });
    });
    after(() => app?.close());

    const get = (url: string, token?: string) => app.inject({ url, headers: token ? bearer(token) : {} });
    const post = (url: string, token: string, payload?: object) => app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });

    it('verify_credentials: the CredentialAccount with source and role', async () => {
      const res = await get('/api/v1/accounts/verify_credentials', ann.token);
      assert.equal(res.statusCode, 200, res.body);
      const me = res.json();
      assert.deepEqual(Object.keys(me).sort(), [...ACCOUNT_KEYS, 'role', 'source'].sort());
      assert.equal(me.id, ann.account.id);
      assert.equal(me.acct, ann.account.username);
      assert.equal(me.url, `${PUBLIC_URL}/@${ann.account.username}`);
      assert.deepEqual(me.source, { privacy: 'public', sensitive: false, language: null, note: '', fields: [], follow_requests_count: 0, discoverable: true, indexable: false });
      assert.deepEqual(Object.keys(me.role).sort(), ['color', 'highlighted', 'id', 'name', 'permissions']);
      assert.match(me.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('verify_credentials: profile scope suffices; write alone, no token, an app token are refused', async () => {
      const profile = await anotherToken(app, ann, 'profile');
      assert.equal((await get('/api/v1/accounts/verify_credentials', profile)).statusCode, 200);
      const write = await anotherToken(app, ann, 'write');
      assert.equal((await get('/api/v1/accounts/verify_credentials', write)).statusCode, 403);
      const none = await get('/api/v1/accounts/verify_credentials');
      assert.equal(none.statusCode, 401);
      assert.deepEqual(none.json(), { error: 'The access token is invalid' });
    });

    it('get by id: public, 404 JSON for unknown and malformed ids', async () => {
      const res = await get(`/api/v1/accounts/${bob.account.id}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(Object.keys(res.json()).sort(), sortedKeys(ACCOUNT_KEYS));
      assert.equal(res.json().username, bob.account.username);
      for (const id of ['1', '99999999999999999', 'abc', '-1', '1e5', '%00']) {
        const missing = await get(`/api/v1/accounts/${id}`);
        assert.equal(missing.statusCode, 404, id);
        assert.deepEqual(missing.json(), { error: 'Record not found' });
      }
      assert.equal((await get(`/api/v1/accounts/${bob.account.id}`, 'not-a-token')).statusCode, 401, 'a dead token is told so');
    });

    it('lookup: user, @user, user@thishost, @user@thishost; other hosts and nobody → 404', async () => {
      const name = bob.account.username;
      for (const acct of [name, `@${name}`, `${name}@social.example`, `@${name}@social.example`, name.toUpperCase()]) {
        const res = await get(`/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`);
        assert.equal(res.statusCode, 200, acct);
        assert.equal(res.json().id, bob.account.id, acct);
      }
      for (const acct of [`${name}@elsewhere.example`, 'nobody_here', '@', 'a b', `${'x'.repeat(500)}`]) {
        assert.equal((await get(`/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`)).statusCode, 404, acct);
      }
      assert.equal((await get('/api/v1/accounts/lookup')).statusCode, 400);
    });

    it('follow, relationships in order, unfollow', async () => {
      const followed = await post(`/api/v1/accounts/${bob.account.id}/follow`, ann.token, { reblogs: 'false', notify: '1' });
      assert.equal(followed.statusCode, 200, followed.body);
      const rel = followed.json();
      assert.deepEqual(Object.keys(rel).sort(), sortedKeys(RELATIONSHIP_KEYS));
      assert.equal(rel.following, true);
      assert.equal(rel.showing_reblogs, false);
      assert.equal(rel.notifying, true);
      assert.equal(rel.note, '');

      const q = `id[]=${bob.account.id}&id[]=123&id[]=${ann.account.id}&id[]=nope`;
      const rels = await get(`/api/v1/accounts/relationships?${q}`, ann.token);
      assert.equal(rels.statusCode, 200, rels.body);
      assert.deepEqual(rels.json().map((r: { id: string }) => r.id), [bob.account.id, ann.account.id]);
      assert.equal(rels.json()[0].following, true);
      const fromBob = await get(`/api/v1/accounts/relationships?id=${ann.account.id}`, bob.token);
      assert.deepEqual(fromBob.json().map((r: { followed_by: boolean }) => r.followed_by), [true]);

      const unfollowed = await app.inject({ method: 'POST', url: `/api/v1/accounts/${bob.account.id}/unfollow`, headers: { ...bearer(ann.token), 'content-type': 'application/json' }, payload: '' });
      assert.equal(unfollowed.statusCode, 200, unfollowed.body);
      assert.equal(unfollowed.json().following, false);
    });

    it('follow refusals: yourself 422, unknown 404, read-only token 403', async () => {
      assert.equal((await post(`/api/v1/accounts/${ann.account.id}/follow`, ann.token)).statusCode, 422);
      assert.equal((await post('/api/v1/accounts/123/follow', ann.token)).statusCode, 404);
      assert.equal((await post('/api/v1/accounts/x/follow', ann.token)).statusCode, 404);
      const read = await anotherToken(app, ann, 'read');
      assert.equal((await post(`/api/v1/accounts/${bob.account.id}/follow`, read)).statusCode, 403);
      assert.equal((await get(`/api/v1/accounts/relationships?id=${bob.account.id}`, await anotherToken(app, ann, 'write'))).statusCode, 403);
    });

    it('block and mute: an honest 422; follow_requests, featured_tags, lists: []', async () => {
      for (const action of ['block', 'unblock', 'mute', 'unmute']) {
        const res = await post(`/api/v1/accounts/${bob.account.id}/${action}`, ann.token);
        assert.equal(res.statusCode, 422, action);
        assert.match(res.json().error, /not supported yet/);
        assert.equal((await post(`/api/v1/accounts/123/${action}`, ann.token)).statusCode, 404);
      }
      assert.deepEqual((await get('/api/v1/follow_requests', ann.token)).json(), []);
      assert.deepEqual((await get(`/api/v1/accounts/${bob.account.id}/featured_tags`)).json(), []);
      assert.deepEqual((await get(`/api/v1/accounts/${bob.account.id}/lists`, ann.token)).json(), []);
      assert.equal((await get('/api/v1/accounts/123/featured_tags')).statusCode, 404);
    });
  },
  { env: { PUBLIC_URL, API_RATE_LIMIT: '100000' } },
);
