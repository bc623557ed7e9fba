import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../../src/web/app.ts';
import { uniqueIp } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';

// POST /api/v1/apps in every body format and redirect-URI shape clients use, its refusals, CORS, the
// rate limit, the server metadata, and a property: random parameters never make /api/v1/apps or
// /oauth/token answer 5xx.

const TUSKY = 'oauth2redirect://com.keylesspalace.tusky/';
const IVORY = 'com.tapbots.Ivory.19300:/request_token';
const OOB = 'urn:ietf:wg:oauth:2.0:oob';

forEachBackend('OAuth app registration', (t) => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp(t.core);
  });
  after(() => app?.close());

  const register = (options: { payload?: unknown; query?: string; type?: string }) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/apps${options.query ? `?${options.query}` : ''}`,
      remoteAddress: uniqueIp(),
      ...(options.payload === undefined
        ? {}
        : {
            headers: { 'content-type': options.type ?? 'application/json' },
            payload: typeof options.payload === 'string' || Buffer.isBuffer(options.payload) ? options.payload : JSON.stringify(options.payload),
          }),
    });

  describe('accepts', () => {
    it('a JSON body (Elk): the CredentialApplication with every field and a client secret', async () => {
      const res = await register({ payload: { client_name: 'Elk', redirect_uris: 'https://elk.zone/api/x/oauth', scopes: 'read write follow push', website: 'https://elk.zone' } });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['client_id', 'client_secret', 'client_secret_expires_at', 'id', 'name', 'redirect_uri', 'redirect_uris', 'scopes', 'website']);
      assert.equal(body.name, 'Elk');
      assert.equal(body.website, 'https://elk.zone');
      assert.deepEqual(body.scopes, ['read', 'write', 'follow', 'push']);
      assert.equal(body.redirect_uri, 'https://elk.zone/api/x/oauth');
      assert.deepEqual(body.redirect_uris, ['https://elk.zone/api/x/oauth']);
      assert.match(body.client_id, /^[A-Za-z0-9_-]{43}$/);
      assert.match(body.client_secret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(body.client_secret_expires_at, 0);
      assert.match(body.id, /^[1-9][0-9]*$/);
    });

    it('a form body (Tusky) with its custom scheme, and read as the default scope', async () => {
      const res = await register({ type: 'application/x-www-form-urlencoded', payload: new URLSearchParams({ client_name: 'Tusky', redirect_uris: TUSKY }).toString() });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().redirect_uris, [TUSKY]);
      assert.deepEqual(res.json().scopes, ['read']);
      assert.equal(res.json().website, null);
    });

    it('parameters in the query string and no body (old Ice Cubes)', async () => {
      const res = await register({ query: new URLSearchParams({ client_name: 'Ice Cubes', redirect_uris: 'icecubesapp://', scopes: 'read write' }).toString() });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().redirect_uris, ['icecubesapp://']);
    });

    it('a multipart body, with Rails brackets', async () => {
      const form = new FormData();
      form.append('client_name', 'Multipart');
      form.append('redirect_uris[]', TUSKY);
      form.append('redirect_uris[]', OOB);
      form.append('scopes', 'read write');
      const request = new Request('http://x/', { method: 'POST', body: form });
      const res = await register({ type: String(request.headers.get('content-type')), payload: Buffer.from(await request.arrayBuffer()) });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().redirect_uris, [TUSKY, OOB]);
      assert.deepEqual(res.json().scopes, ['read', 'write']);
      const broken = await register({ type: 'multipart/form-data; boundary=x', payload: 'not multipart at all' });
      assert.equal(broken.statusCode, 400, broken.body);
    });

    it('an empty JSON body plus the query string', async () => {
      const res = await register({ query: `client_name=Q&redirect_uris=${encodeURIComponent(OOB)}`, payload: '' });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().redirect_uris, [OOB]);
    });

    it('a newline-separated list, an array, and Rails brackets, with Ivory and out-of-band URIs', async () => {
      const list = [IVORY, OOB, 'https://app.example/cb?x=1'];
      const byNewline = await register({ payload: { client_name: 'N', redirect_uris: list.join('\n') } });
      assert.equal(byNewline.statusCode, 200, byNewline.body);
      assert.deepEqual(byNewline.json().redirect_uris, list);
      assert.equal(byNewline.json().redirect_uri, list.join('\n'));
      const byArray = await register({ payload: { client_name: 'A', redirect_uris: list } });
      assert.deepEqual(byArray.json().redirect_uris, list);
      const brackets = await register({ type: 'application/x-www-form-urlencoded', payload: `client_name=B&${list.map((u) => `redirect_uris[]=${encodeURIComponent(u)}`).join('&')}` });
      assert.equal(brackets.statusCode, 200, brackets.body);
      assert.deepEqual(brackets.json().redirect_uris, list);
    });
  });

  describe('refuses with 422 "Validation failed: …"', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['javascript:', { redirect_uris: 'javascript:alert(1)' }, /javascript: scheme/],
      ['JavaScript: in capitals', { redirect_uris: 'JavaScript:alert(1)' }, /javascript: scheme/],
      ['data:', { redirect_uris: 'data:text/html,<b>x</b>' }, /data: scheme/],
      ['vbscript:', { redirect_uris: 'vbscript:msgbox' }, /vbscript: scheme/],
      ['a relative URI', { redirect_uris: '/callback' }, /not an absolute URI/],
      ['a fragment', { redirect_uris: 'https://a.example/cb#x' }, /fragment/],
      ['spaces inside', { redirect_uris: 'https://a.example/c b' }, /spaces/],
      ['more than 10 URIs', { redirect_uris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) }, /at most 10/],
      ['an over-long URI', { redirect_uris: `https://a.example/${'x'.repeat(2000)}` }, /longer than 2000/],
      ['no redirect URI', { redirect_uris: '' }, /Redirect URI can't be blank/],
      ['no name', { client_name: '' }, /Name can't be blank/],
      ['a 201-character name', { client_name: 'n'.repeat(201) }, /Name is too long/],
      ['an unknown scope', { scopes: 'read admin:write' }, /unknown scopes: admin:write/],
      ['a website that is not http(s)', { website: 'ftp://x.example' }, /Website must be an http or https URL/],
      ['a redirect URI of the wrong type', { redirect_uris: { a: 1 } }, /must be a string/],
    ];
    for (const [what, fields, message] of cases) {
      it(what, async () => {
        const res = await register({ payload: { client_name: 'X', redirect_uris: 'https://ok.example/cb', ...fields } });
        assert.equal(res.statusCode, 422, res.body);
        const body = res.json();
        assert.match(body.error, /^Validation failed: /);
        assert.match(body.error, message);
      });
    }
  });

  it('sends CORS headers to any origin, and answers the preflight', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/apps',
      headers: { origin: 'https://phanpy.social', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.ok(preflight.statusCode < 300, String(preflight.statusCode));
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/apps',
      remoteAddress: uniqueIp(),
      headers: { origin: 'https://phanpy.social', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      payload: JSON.stringify({ client_name: 'Phanpy', redirect_uris: 'https://phanpy.social/' }),
    });
    assert.equal(res.statusCode, 200, 'a cross-site browser registration is accepted');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.match(String(res.headers['access-control-expose-headers']), /Link/);
  });

  it('limits registrations per address: 429 past 10 in 10 minutes', async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/apps', remoteAddress: ip, payload: { client_name: `R${i}`, redirect_uris: OOB } });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, [...Array<number>(10).fill(200), 429]);
  });

  it('publishes the RFC 8414 metadata, with S256 and the registration endpoint', async () => {
    const res = await app.inject({ url: '/.well-known/oauth-authorization-server', headers: { origin: 'https://phanpy.social' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const base = t.config.publicUrl;
    const meta = res.json();
    assert.equal(meta.issuer, `${base}/`);
    assert.equal(meta.authorization_endpoint, `${base}/oauth/authorize`);
    assert.equal(meta.token_endpoint, `${base}/oauth/token`);
    assert.equal(meta.revocation_endpoint, `${base}/oauth/revoke`);
    assert.equal(meta.app_registration_endpoint, `${base}/api/v1/apps`);
    assert.equal(meta.userinfo_endpoint, `${base}/oauth/userinfo`);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(meta.response_types_supported, ['code']);
    assert.deepEqual(meta.grant_types_supported, ['authorization_code', 'client_credentials']);
    assert.deepEqual(meta.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    for (const s of ['read', 'write', 'follow', 'push', 'profile', 'read:statuses', 'write:media']) assert.ok(meta.scopes_supported.includes(s), s);
  });

  it('never answers 5xx, whatever parameters /api/v1/apps and /oauth/token get', async () => {
    const registered = (await register({ payload: { client_name: 'P', redirect_uris: OOB, scopes: 'read write' } })).json();
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ maxLength: 30, unit: 'binary' }),
      fc.constantFrom('', 'read', 'read write', 'admin:read', OOB, TUSKY, 'javascript:x', 'authorization_code', 'client_credentials', 'password', registered.client_id, registered.client_secret),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
    );
    const keys = fc.constantFrom('client_name', 'redirect_uris', 'scopes', 'website', 'grant_type', 'code', 'redirect_uri', 'client_id', 'client_secret', 'code_verifier', 'scope', 'token', '__proto__', 'constructor');
    const params = fc.dictionary(keys, value, { maxKeys: 8 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/v1/apps', '/oauth/token', '/oauth/revoke'), params, fc.constantFrom('json', 'form', 'query', 'raw'), fc.string({ maxLength: 40 }), async (url, p, format, raw) => {
        const flat = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
        const res = await app.inject({
          method: 'POST',
          url: format === 'query' ? `${url}?${new URLSearchParams(flat)}` : url,
          remoteAddress: uniqueIp(),
          ...(format === 'json' ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(p) } : {}),
          ...(format === 'form' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(flat).toString() } : {}),
          ...(format === 'raw' ? { headers: { 'content-type': 'application/json' }, payload: raw } : {}),
        });
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body} for ${url} ${format} ${JSON.stringify(p)}`);
        assert.match(String(res.headers['content-type']), /^application\/json/, res.body);
      }),
      { numRuns: 150 },
    );
  });
});
