import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import qs from 'qs';
import { buildApp } from '../../src/web/app.ts';
import { apiUser, type ApiUser } from '../helpers/api-user.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { bearer } from '../helpers/oauth.ts';

// Random parameters thrown at update_credentials and the search and list endpoints of this slice:
// never a 5xx, a refused update leaves the caller's account as it was, and nothing the caller does
// changes another account.

const FIELDS = ['display_name', 'note', 'locked', 'bot', 'discoverable', 'source', 'fields_attributes', 'avatar', 'header', 'indexable'];

const scalar = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 600 }), fc.boolean(), fc.integer(), fc.double(), fc.constant(null), fc.constantFrom('true', '0', 'on', 'public', 'direct', 'fr', ''));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom('privacy', 'sensitive', 'language', '0', 'name', 'value'), scalar, { maxKeys: 3 }));
const body = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 })), value, { maxKeys: 6 });

const param = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constantFrom('', '-1', '0', '99999999999999999999', '1e3', '@', '@a@b', 'https://social.example/@x/1', 'accounts', 'hashtags', 'statuses', 'true'));
const query = fc.dictionary(fc.constantFrom('q', 'type', 'limit', 'offset', 'resolve', 'following', 'account_id', 'id', 'max_id', 'min_id', 'since_id', 'types', 'exclude_types', 'acct'), fc.oneof(param, fc.array(param, { maxLength: 3 })), { maxKeys: 6 });
const PATHS = ['/api/v2/search', '/api/v1/accounts/search', '/api/v1/accounts/lookup', '/api/v1/accounts/relationships', '/api/v1/notifications', '/api/v2/notifications', '/api/v1/markers'];

forEachBackend(
  'API accounts: random parameters',
  (t) => {
    let app: FastifyInstance;
    let ann: ApiUser;
    let bob: ApiUser;
    let bobBefore: string;
    before(async () => {
      app = await buildApp(t.core);
      ann = await apiUser(app, t.core, { prefix: 'ann' });
      bob = await apiUser(app, t.core, { prefix: 'bob' });
      bobBefore = (await app.inject({ url: '/api/v1/accounts/verify_credentials', headers: bearer(bob.token) })).body;
    });
    after(() => app?.close());

    const me = async () => (await app.inject({ url: '/api/v1/accounts/verify_credentials', headers: bearer(ann.token) })).body;

    it('update_credentials: never 5xx; a refusal changes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(body, fc.boolean(), async (fields, asForm) => {
          const before = await me();
          const res = await app.inject({
            method: 'PATCH',
            url: '/api/v1/accounts/update_credentials',
            headers: { ...bearer(ann.token), 'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json' },
            payload: asForm ? qs.stringify(fields) : JSON.stringify(fields),
          });
          assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body} for ${JSON.stringify(fields)}`);
          if (res.statusCode !== 200) assert.equal(await me(), before, `refused ${JSON.stringify(fields)} but changed the account`);
        }),
        { numRuns: 60 },
      );
    });

    it('search, lookup, relationships, notifications, markers: never 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...PATHS), query, async (path, q) => {
          const res = await app.inject({ url: `${path}?${qs.stringify(q)}`, headers: bearer(ann.token) });
          assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body} for ${path}?${qs.stringify(q)}`);
        }),
        { numRuns: 120 },
      );
    });

    it('nothing of it changed another account', async () => {
      assert.equal((await app.inject({ url: '/api/v1/accounts/verify_credentials', headers: bearer(bob.token) })).body, bobBefore);
    });
  },
  { env: { API_RATE_LIMIT: '100000' } },
);
