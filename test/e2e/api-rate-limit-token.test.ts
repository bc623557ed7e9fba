import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { apiUser, type ApiUser } from '../helpers/api-user.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer } from '../helpers/oauth.ts';

// The API's rate limit per token: calls a valid token authenticates count against that token, so two
// people behind one address each have the whole budget; calls without a token count per address.

const LIMIT = 4;
const SHARED_IP = '10.250.0.1';

forEachBackend(
  'API rate limit per token',
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

    const call = (token?: string) => app.inject({ url: '/api/v1/accounts/verify_credentials', remoteAddress: SHARED_IP, headers: token ? bearer(token) : {} });

    it('each token has its own budget; the address keeps its own for calls without one', async () => {
      for (let i = 0; i < LIMIT; i++) {
        const res = await call(ann.token);
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['x-ratelimit-remaining'], String(LIMIT - 1 - i));
      }
      const over = await call(ann.token);
      assert.equal(over.statusCode, 429);
      assert.equal(over.headers['x-ratelimit-remaining'], '0');
      const other = await call(bob.token);
      assert.equal(other.statusCode, 200, 'another token behind the same address');
      assert.equal(other.headers['x-ratelimit-remaining'], String(LIMIT - 1));
      const anonymous = await call();
      assert.equal(anonymous.statusCode, 401, 'counted per address, not refused by the tokens\' use');
      assert.equal(anonymous.headers['x-ratelimit-remaining'], String(LIMIT - 1));
    });

    it('parallel calls with one token are each counted once, in order: the limit holds exactly', async () => {
      const carl = await apiUser(app, t.core, { prefix: 'carl' });
      const calls = await Promise.all(Array.from({ length: LIMIT + 3 }, () => call(carl.token)));
      assert.deepEqual(calls.map((r) => r.statusCode).sort(), [...Array(LIMIT).fill(200), 429, 429, 429]);
      const remaining = calls.filter((r) => r.statusCode === 200).map((r) => Number(r.headers['x-ratelimit-remaining']));
      assert.deepEqual(remaining.sort(), Array.from({ length: LIMIT }, (_, i) => i), 'each call has its own place in the window');
      for (const r of calls.filter((c) => c.statusCode === 200)) assert.equal(JSON.parse(r.body).id, carl.account.id);
    });
  },
  { env: { API_RATE_LIMIT: String(LIMIT) } },
);
