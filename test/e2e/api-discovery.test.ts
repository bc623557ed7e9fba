import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { toMastodonAccount } from '../../src/web/api/serializers/account.ts';
import { toInstanceV1, toInstanceV2 } from '../../src/web/api/serializers/instance.ts';
import type { Account } from '../../src/core/index.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// What clients read before login: instance v1/v2, nodeinfo, host-meta, webfinger, the empty lists.
// Bodies are compared with the serializers' own output, so a key the response schema forgot (Fastify
// drops it silently) fails here.

const PUBLIC_URL = 'https://social.example';
const MS_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every key of the Account entity (mastodon-api.md §3). */
const ACCOUNT_KEYS = [
  'id', 'username', 'acct', 'display_name', 'locked', 'bot', 'group', 'discoverable', 'indexable', 'noindex', 'created_at', 'note', 'url', 'uri',
  'avatar', 'avatar_static', 'header', 'header_static', 'followers_count', 'following_count', 'statuses_count', 'last_status_at', 'emojis',
  'fields', 'moved', 'suspended', 'limited', 'roles',
].sort();

forEachBackend(
  'discovery endpoints',
  (t) => {
    let app: FastifyInstance;
    before(async () => {
      app = await buildApp(t.core);
    });
    after(() => app?.close());

    describe('with no account yet', () => {
      it('names a stand-in contact account rather than null', async () => {
        const v2 = (await app.inject({ url: '/api/v2/instance' })).json();
        assert.equal(v2.contact.account.id, '0');
        assert.deepEqual(Object.keys(v2.contact.account).sort(), ACCOUNT_KEYS);
        assert.equal((await app.inject({ url: '/api/v1/instance' })).json().contact_account.username, 'pipit');
        assert.equal((await app.inject({ url: '/nodeinfo/2.0' })).json().usage.users.total, 0);
      });
    });

    describe('with accounts', () => {
      let first: Account;
      let admin: Account;
      before(async () => {
        first = await createAccount(t.core, 'first');
        admin = await createAccount(t.core, 'admin');
        await t.core.accounts.setAdmin(admin.username, true);
        await t.core.posts.createPost(first.id, { text: 'hello there' });
      });

      it('GET /api/v2/instance: every key, Pipit’s limits, the first admin as contact', async () => {
        const res = await app.inject({ url: '/api/v2/instance' });
        assert.equal(res.statusCode, 200);
        const body = res.json();
        const facts = await t.core.instance.instanceFacts();
        assert.deepEqual(body, JSON.parse(JSON.stringify(toInstanceV2(facts, t.config))));
        assert.equal(body.domain, 'social.example');
        assert.equal(body.version, '4.2.0');
        assert.equal(body.api_versions.mastodon, 1);
        assert.equal(body.configuration.statuses.max_characters, 321);
        assert.equal(body.configuration.urls.streaming, undefined, 'no streaming yet');
        assert.equal(body.contact.account.username, admin.username);
        assert.equal(body.contact.account.avatar, `${PUBLIC_URL}/assets/avatar.png`);
        assert.equal(body.thumbnail.url, `${PUBLIC_URL}/assets/header.png`);
        assert.equal(body.usage.users.active_month, 1);
        assert.match(String(res.headers['access-control-allow-origin']), /^\*$/);
      });

      it('GET /api/v1/instance: every key, with the counts', async () => {
        const body = (await app.inject({ url: '/api/v1/instance' })).json();
        assert.deepEqual(body, JSON.parse(JSON.stringify(toInstanceV1(await t.core.instance.instanceFacts(), t.config))));
        assert.equal(body.uri, 'social.example');
        assert.deepEqual(body.stats, { user_count: 2, status_count: 1, domain_count: 0 });
        assert.deepEqual(body.urls, {});
        assert.equal(body.configuration.statuses.max_characters, 321);
      });

      it('serializes an Account with every key, absolute URLs, millisecond times and a date-only last_status_at', async () => {
        const account = await t.core.accounts.getAccount(first.id);
        const json = toMastodonAccount(account, { publicUrl: PUBLIC_URL, mediaBaseUrl: `${PUBLIC_URL}/media` });
        assert.deepEqual(Object.keys(json).sort(), ACCOUNT_KEYS);
        assert.equal(json.acct, first.username);
        assert.equal(json.url, `${PUBLIC_URL}/@${first.username}`);
        for (const key of ['avatar', 'avatar_static', 'header', 'header_static'] as const) assert.match(json[key], /^https:\/\/social\.example\/assets\/(avatar|header)\.png$/);
        assert.match(json.created_at, MS_TIMESTAMP);
        assert.match(String(json.last_status_at), /^\d{4}-\d{2}-\d{2}$/);
        assert.equal(json.statuses_count, 1);
        // The default pictures are really there.
        for (const path of ['/assets/avatar.png', '/assets/header.png']) {
          const res = await app.inject({ url: path });
          assert.equal(res.statusCode, 200, path);
          assert.equal(res.headers['content-type'], 'image/png');
          assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
        }
      });

      it('answers the empty public lists with [] (never 404), and streaming health not at all', async () => {
        for (const path of ['custom_emojis', 'instance/peers', 'instance/rules', 'trends', 'trends/tags', 'trends/statuses', 'trends/links', 'announcements']) {
          const res = await app.inject({ url: `/api/v1/${path}` });
          assert.equal(res.statusCode, 200, path);
          assert.deepEqual(res.json(), [], path);
        }
        assert.equal((await app.inject({ url: '/api/v1/streaming/health' })).statusCode, 404);
      });

      it('nodeinfo: the link, then software pipit with upstream mastodon and the usage', async () => {
        const links = (await app.inject({ url: '/.well-known/nodeinfo' })).json();
        assert.deepEqual(links, { links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${PUBLIC_URL}/nodeinfo/2.0` }] });
        const res = await app.inject({ url: '/nodeinfo/2.0', headers: { origin: 'https://elk.zone' } });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['access-control-allow-origin'], '*');
        const info = res.json();
        assert.equal(info.version, '2.0');
        assert.equal(info.software.name, 'pipit');
        assert.match(info.software.name, /^[a-z0-9-]+$/);
        assert.deepEqual(info.metadata, { upstream: { name: 'mastodon' } });
        assert.deepEqual(info.protocols, []);
        assert.deepEqual(info.usage, { users: { total: 2, activeMonth: 1, activeHalfyear: 1 }, localPosts: 1 });
      });

      it('host-meta points at this host’s webfinger', async () => {
        const res = await app.inject({ url: '/.well-known/host-meta' });
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /^application\/xrd\+xml/);
        assert.ok(res.body.includes(`template="${PUBLIC_URL}/.well-known/webfinger?resource={uri}"`), res.body);
      });

      it('webfinger finds local accounts by acct: or profile URL, and answers 404 for anyone else', async () => {
        for (const resource of [`acct:${first.username}@social.example`, `${first.username.toUpperCase()}@social.example`, `${PUBLIC_URL}/@${first.username}`]) {
          const res = await app.inject({ url: `/.well-known/webfinger?resource=${encodeURIComponent(resource)}` });
          assert.equal(res.statusCode, 200, resource);
          assert.match(String(res.headers['content-type']), /^application\/jrd\+json/);
          assert.deepEqual(res.json(), {
            subject: `acct:${first.username}@social.example`,
            aliases: [`${PUBLIC_URL}/@${first.username}`],
            links: [{ rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: `${PUBLIC_URL}/@${first.username}` }],
          });
        }
        for (const resource of ['acct:nobody_here@social.example', `acct:${first.username}@elsewhere.example`, 'https://elsewhere.example/@x', 'nonsense', `${PUBLIC_URL}/@%E0%A4%A`, `${PUBLIC_URL}/@%zz`]) {
          const res = await app.inject({ url: `/.well-known/webfinger?resource=${encodeURIComponent(resource)}` });
          assert.equal(res.statusCode, 404, resource);
          assert.deepEqual(res.json(), { error: 'Record not found' });
        }
        const missing = await app.inject({ url: '/.well-known/webfinger' });
        assert.equal(missing.statusCode, 422);
        assert.match(missing.json().error, /resource is required/);
      });
    });
  },
  { env: { PUBLIC_URL, MAX_POST_LENGTH: '321' } },
);
