import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { setPageLinks } from '../../src/web/api/paging.ts';
import { sessionCookieName } from '../../src/web/html/session.ts';
import { createAccount } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';

// The web app's scopes: ops and assets without the session lookup, the API with JSON errors, CORS,
// no-store and the clients' body formats, the website with its HTML pages. Observed over HTTP.

// https: the session cookie is then `__Host-pipit_session`.
const PUBLIC_URL = 'https://pipit.example';

/** A multipart body with these fields (and optionally one file part). */
function multipartBody(fields: [string, string][], file?: { name: string; filename: string }) {
  const boundary = '----pipit-test-boundary';
  let body = '';
  for (const [name, value] of fields) body += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  if (file) body += `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: image/png\r\n\r\nnot really a png\r\n`;
  body += `--${boundary}--\r\n`;
  return { payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

forEachBackend(
  'web app scopes',
  (t) => {
    let app: FastifyInstance;
    let sessionCookie: string;
    let username: string;
    let lookups = 0;
    before(async () => {
      app = await buildApp(t.core, {
        extraRoutes: {
          api: (scope) => {
            scope.post('/test/echo', async (request) => ({ body: request.body ?? null }));
            scope.delete('/test/echo', async (request) => ({ body: request.body ?? null }));
            scope.get('/test/page', async (request, reply) => {
              setPageLinks(request, reply, t.config.publicUrl, [{ id: '300' }, { id: '200' }, { id: '100' }]);
              return [];
            });
          },
        },
      });
      const account = await createAccount(t.core, 'scopes');
      username = account.username;
      sessionCookie = `${sessionCookieName(true)}=${await t.core.sessions.createSession(account.id)}`;
      // Counts the website's session lookups through the core's own function (the real one still answers).
      const resolve = t.core.sessions.resolveSession;
      t.core.sessions.resolveSession = async (token) => {
        lookups += 1;
        return resolve(token);
      };
    });
    after(() => app?.close());

    describe('ops and assets', () => {
      it('look up no session and set no cookie, even with a session cookie', async () => {
        for (const url of ['/livez', '/readyz', '/metrics', '/assets/style.css', '/assets/avatar.png']) {
          for (const cookie of [sessionCookie, `${sessionCookieName(true)}=bogus`, 'pipit_session=bogus']) {
            const before = lookups;
            const res = await app.inject({ url, headers: { cookie } });
            assert.ok(res.statusCode < 400, `${url}: ${res.statusCode}`);
            assert.equal(res.headers['set-cookie'], undefined, url);
            assert.equal(lookups, before, `${url} looked up a session`);
            assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
          }
        }
      });

      it('while a page does look the session up (the counter sees it)', async () => {
        const before = lookups;
        const res = await app.inject({ url: '/', headers: { cookie: sessionCookie } });
        assert.equal(res.statusCode, 200);
        assert.equal(lookups, before + 1);
        assert.match(res.body, /action="\/auth\/sign_out"/, 'rendered for the logged-in account');
      });
    });

    describe('the api scope', () => {
      it('answers an unknown path with a JSON 404, CORS and no-store, and no session lookup', async () => {
        const before = lookups;
        for (const method of ['GET', 'POST', 'DELETE'] as const) {
          const res = await app.inject({ method, url: '/api/v1/no/such/thing', headers: { cookie: sessionCookie, origin: 'https://elk.zone' } });
          assert.equal(res.statusCode, 404, method);
          assert.match(String(res.headers['content-type']), /^application\/json/);
          assert.deepEqual(res.json(), { error: 'Record not found' });
          assert.equal(res.headers['access-control-allow-origin'], '*');
          assert.equal(res.headers['cache-control'], 'no-store');
          assert.equal(res.headers['x-content-type-options'], 'nosniff');
          assert.equal(res.headers['content-security-policy'], undefined, 'the CSP is the website’s');
          assert.equal(res.headers['set-cookie'], undefined);
        }
        assert.equal((await app.inject({ url: '/api' })).json().error, 'Record not found');
        assert.equal(lookups, before);
      });

      it('exposes the headers web clients must read', async () => {
        const res = await app.inject({ url: '/api/v1/custom_emojis', headers: { origin: 'https://phanpy.social' } });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), []);
        const exposed = String(res.headers['access-control-expose-headers']).split(/,\s*/);
        for (const header of ['Link', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-Id']) assert.ok(exposed.includes(header), header);
      });

      it('answers a preflight with 204 and the allowed methods and headers (Idempotency-Key too)', async () => {
        const res = await app.inject({
          method: 'OPTIONS',
          url: '/api/v1/statuses',
          headers: { origin: 'https://phanpy.social', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
        });
        assert.equal(res.statusCode, 204);
        assert.equal(res.headers['access-control-allow-origin'], '*');
        const methods = String(res.headers['access-control-allow-methods']).split(/,\s*/);
        for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) assert.ok(methods.includes(m), m);
        const headers = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
        for (const h of ['authorization', 'content-type', 'idempotency-key']) assert.ok(headers.includes(h), h);
        assert.equal(res.headers['x-ratelimit-limit'], undefined, 'a preflight does not count');
      });

      it('parses JSON, an empty JSON body, urlencoded brackets and multipart fields, and merges the query under the body', async () => {
        const echo = async (options: InjectOptions) => {
          const res = await app.inject(options);
          assert.equal(res.statusCode, 200, res.body);
          return res.json().body;
        };
        assert.deepEqual(await echo({ method: 'POST', url: '/api/test/echo', payload: { status: 'hi', media_ids: ['1'] } }), { status: 'hi', media_ids: ['1'] });
        assert.deepEqual(await echo({ method: 'POST', url: '/api/test/echo', headers: { 'content-type': 'application/json' }, payload: '' }), {});
        assert.deepEqual(
          await echo({
            method: 'POST',
            url: '/api/test/echo',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'id[]=1&id[]=2&source[privacy]=public&fields_attributes[0][name]=site',
          }),
          { id: ['1', '2'], source: { privacy: 'public' }, fields_attributes: [{ name: 'site' }] },
        );
        const form = multipartBody([['display_name', 'Ann'], ['media_ids[]', '5'], ['media_ids[]', '6'], ['source[privacy]', 'unlisted']]);
        assert.deepEqual(await echo({ method: 'POST', url: '/api/test/echo', ...form }), {
          display_name: 'Ann',
          media_ids: ['5', '6'],
          source: { privacy: 'unlisted' },
        });
        // Query parameters join the body; where both name a parameter, the body wins.
        assert.deepEqual(await echo({ method: 'POST', url: '/api/test/echo?client_name=Ice&scopes=read', payload: { scopes: 'read write' } }), {
          client_name: 'Ice',
          scopes: 'read write',
        });
        assert.deepEqual(await echo({ method: 'POST', url: '/api/test/echo?types[]=mention' }), { types: ['mention'] });
        const poisoned = await echo({ method: 'POST', url: '/api/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":1,"__proto__":{"admin":true}}' });
        assert.deepEqual(poisoned, { a: 1 });
        assert.deepEqual(await echo({ method: 'DELETE', url: '/api/test/echo?id=7' }), { id: '7' });
      });

      it('refuses a file part (media comes later) and malformed JSON, as JSON errors', async () => {
        const withFile = multipartBody([['description', 'x']], { name: 'file', filename: 'a.png' });
        const file = await app.inject({ method: 'POST', url: '/api/test/echo', ...withFile });
        assert.equal(file.statusCode, 422);
        assert.match(file.json().error, /^Validation failed: file is a file/);
        const bad = await app.inject({ method: 'POST', url: '/api/test/echo', headers: { 'content-type': 'application/json' }, payload: '{"status":' });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().error, 'The body is not valid JSON.');
      });

      it('sends Link with absolute PUBLIC_URL addresses, keeping the other parameters', async () => {
        const res = await app.inject({ url: '/api/test/page?limit=3&types[]=mention&max_id=999' });
        assert.equal(
          res.headers.link,
          `<${PUBLIC_URL}/api/test/page?limit=3&types%5B%5D=mention&max_id=100>; rel="next", <${PUBLIC_URL}/api/test/page?limit=3&types%5B%5D=mention&min_id=300>; rel="prev"`,
        );
      });

      it('counts calls per IP with the rate-limit headers, and answers 429 in JSON past the limit', async () => {
        const remoteAddress = '203.0.113.7';
        const first = await app.inject({ url: '/api/v1/custom_emojis', remoteAddress });
        const limit = Number(first.headers['x-ratelimit-limit']);
        assert.equal(limit, 40, 'API_RATE_LIMIT');
        assert.equal(Number(first.headers['x-ratelimit-remaining']), limit - 1);
        const reset = String(first.headers['x-ratelimit-reset']);
        assert.match(reset, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        for (let i = 1; i < limit; i++) assert.equal((await app.inject({ url: '/api/v1/custom_emojis', remoteAddress })).statusCode, 200);
        const refused = await app.inject({ url: '/api/v1/custom_emojis', remoteAddress });
        assert.equal(refused.statusCode, 429);
        assert.deepEqual(refused.json(), { error: 'Too many requests' });
        assert.equal(refused.headers['x-ratelimit-remaining'], '0');
        assert.ok(Number(refused.headers['retry-after']) > 0);
        assert.equal(refused.headers['access-control-allow-origin'], '*', 'a browser client can read the refusal');
        // Another address is not affected.
        assert.equal((await app.inject({ url: '/api/v1/custom_emojis', remoteAddress: '203.0.113.8' })).statusCode, 200);
      });
    });

    describe('the website', () => {
      it('still answers an unknown page with the HTML 404 page, for the logged-in visitor', async () => {
        const res = await app.inject({ url: '/no/such/page', headers: { cookie: sessionCookie } });
        assert.equal(res.statusCode, 404);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.match(res.body, /Page not found/);
        assert.ok(res.body.includes(`<span class="menu-handle">@${username}</span>`), 'the account menu of the logged-in visitor');
        assert.ok(res.headers['content-security-policy']);
        assert.equal(res.headers['access-control-allow-origin'], undefined, 'no CORS on the website');
      });

      it('answers a preflight on a page without CORS', async () => {
        const res = await app.inject({ method: 'OPTIONS', url: '/statuses', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
        assert.equal(res.headers['access-control-allow-origin'], undefined);
      });
    });
  },
  { env: { PUBLIC_URL, API_RATE_LIMIT: '40' } },
);
