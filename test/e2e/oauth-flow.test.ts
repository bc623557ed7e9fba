import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import qs from 'qs';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { createAccount, TEST_PASSWORD, uniqueUsername } from '../helpers/accounts.ts';
import { authorize, authorizeUrl, bearer, consentFields, decide, pkce, REDIRECT, registerApp, token, userToken, type TestApp } from '../helpers/oauth.ts';

// The authorization code dance as clients dance it (Elk: JSON, no PKCE; Phanpy: form, PKCE; Tusky:
// custom scheme; oob: the code on a page), login and force_login, and every way /oauth/authorize must
// refuse: a redirect URI one character off, an unknown client, more scope than registered, a forged
// consent. Token refusals and revocation are in oauth-tokens.test.ts.

const OOB = 'urn:ietf:wg:oauth:2.0:oob';

forEachBackend('OAuth authorization flow', (t) => {
  let app: FastifyInstance;
  let browser: BrowserSession;
  let username: string;
  before(async () => {
    app = await buildApp(t.core);
    browser = new BrowserSession(app);
    username = uniqueUsername('oauth');
    assert.equal((await browser.signUp({ username })).statusCode, 303);
  });
  after(() => app?.close());

  const exchange = (client: TestApp, code: string, extra: Record<string, string> = {}, json = true) =>
    token(app, { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: client.redirect_uris[0]!, ...extra }, { json });
  const verify = (accessToken: string) => app.inject({ url: '/api/v1/apps/verify_credentials', headers: bearer(accessToken) });

  describe('the dance', () => {
    it('sends a visitor who is not logged in to the login page, and back to the consent page after it', async () => {
      const client = await registerApp(app);
      const visitor = new BrowserSession(app);
      const url = authorizeUrl(client, { state: 'xyz' });
      const res = await visitor.get(url);
      assert.equal(res.statusCode, 302);
      const login = new URL(String(res.headers.location), 'http://x');
      assert.equal(login.pathname, '/auth/sign_in');
      assert.equal(login.searchParams.get('return_to'), url);
      const account = await createAccount(t.core, 'visitor');
      await visitor.get(`${login.pathname}${login.search}`);
      const signIn = await visitor.post('/auth/sign_in', { username: account.username, password: TEST_PASSWORD, return_to: login.searchParams.get('return_to')! });
      assert.equal(signIn.statusCode, 303);
      assert.equal(signIn.headers.location, url);
      const consent = await visitor.get(url);
      assert.equal(consent.statusCode, 200);
      assert.match(consent.body, /Authorize Test client\?/);
    });

    it('without PKCE, JSON exchange (Elk): consent page, 302 with code and state, a Bearer token without expires_in', async () => {
      const client = await registerApp(app, { website: 'https://client.example' });
      const page = await browser.get(authorizeUrl(client, { scope: 'read write', state: 's t&x' }));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Authorize Test client\?/);
      assert.match(page.body, /href="https:\/\/client.example"/);
      assert.match(page.body, /Read everything in your account/);
      assert.match(page.body, /Change everything in your account/);
      assert.match(page.body, new RegExp(`@${username}`));
      assert.match(page.body, /value="approve"[^>]*>Authorize</);
      assert.match(page.body, /value="deny"[^>]*>Deny</);
      assert.match(String(page.headers['content-security-policy']), /form-action 'self' https:\/\/client\.example/, 'the consent form may redirect to the app');
      const res = await browser.post('/oauth/authorize', { ...consentFields(page.body), decision: 'approve' });
      assert.equal(res.statusCode, 302);
      const location = new URL(String(res.headers.location));
      assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
      assert.equal(location.searchParams.get('state'), 's t&x');
      const code = location.searchParams.get('code')!;
      const answer = await exchange(client, code, { scope: 'read write follow push' });
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(answer.headers['cache-control'], 'no-store');
      const body = answer.json();
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'created_at', 'scope', 'token_type']);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.scope, 'read write', 'an extra scope in the exchange is ignored');
      assert.ok(Number.isInteger(body.created_at) && Math.abs(body.created_at - Date.now() / 1000) < 600);
      const me = await verify(body.access_token);
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().name, 'Test client');
      const info = await app.inject({ url: '/oauth/userinfo', headers: bearer(body.access_token) });
      assert.equal(info.statusCode, 200, info.body);
      assert.equal(info.json().preferred_username, username);
      assert.equal(info.json().iss, `${t.config.publicUrl}/`);
    });

    it('with PKCE S256, form exchange (Phanpy)', async () => {
      const client = await registerApp(app);
      const { verifier, challenge } = pkce();
      const { code } = await authorize(browser, client, { code_challenge: challenge, code_challenge_method: 'S256' });
      const res = await exchange(client, code, { code_verifier: verifier }, false);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((await verify(res.json().access_token)).statusCode, 200);
    });

    it('to a custom scheme (Tusky, Ivory), keeping the URI exactly as registered', async () => {
      for (const uri of ['oauth2redirect://com.keylesspalace.tusky/', 'com.tapbots.Ivory.19300:/request_token']) {
        const client = await registerApp(app, { redirect_uris: uri });
        const page = await browser.get(authorizeUrl(client));
        const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase();
        assert.match(String(page.headers['content-security-policy']), new RegExp(`form-action 'self' ${scheme.replace(/\./g, '\\.')}:`));
        const res = await browser.post('/oauth/authorize', { ...consentFields(page.body), decision: 'approve' });
        assert.equal(res.statusCode, 302);
        assert.ok(String(res.headers.location).startsWith(`${uri}?code=`), String(res.headers.location));
      }
    });

    it('out of band: the code on a page, in a copyable field, and it exchanges', async () => {
      const client = await registerApp(app, { redirect_uris: OOB });
      const res = await decide(browser, authorizeUrl(client), 'approve');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.location, undefined);
      assert.match(res.body, /Your authorization code/);
      const code = /<input id="oauth-code" name="code" type="text" value="([A-Za-z0-9_-]+)" readonly/.exec(res.body)?.[1];
      assert.ok(code, 'the code in a read-only field');
      assert.equal((await exchange(client, code)).statusCode, 200);
    });

    it('asks again only for other scopes or after a revocation: an app approved for these scopes gets its code at once', async () => {
      const client = await registerApp(app);
      const accessToken = await userToken(app, browser, client, 'read write');
      const again = await browser.get(authorizeUrl(client, { scope: 'write read', state: 'again' }));
      assert.equal(again.statusCode, 302, 'no consent page the second time');
      const location = new URL(String(again.headers.location));
      assert.equal(location.searchParams.get('state'), 'again');
      assert.equal((await token(app, { grant_type: 'authorization_code', code: location.searchParams.get('code'), client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT })).statusCode, 200);
      assert.equal((await browser.get(authorizeUrl(client, { scope: 'read' }))).statusCode, 200, 'other scopes: consent');
      await app.inject({ method: 'POST', url: '/oauth/revoke', payload: { client_id: client.client_id, client_secret: client.client_secret, token: accessToken } });
      await browser.get('/settings/apps');
      await browser.post(`/settings/apps/${client.id}/revoke`, {});
      assert.equal((await browser.get(authorizeUrl(client, { scope: 'read write' }))).statusCode, 200, 'revoked: consent again');
    });

    it('denied: back to the app with error=access_denied and the state', async () => {
      const client = await registerApp(app);
      const res = await decide(browser, authorizeUrl(client, { state: 'abc' }), 'deny');
      assert.equal(res.statusCode, 302);
      const location = new URL(String(res.headers.location));
      assert.equal(location.searchParams.get('error'), 'access_denied');
      assert.equal(location.searchParams.get('state'), 'abc');
      assert.equal(location.searchParams.get('code'), null);
    });

    it('force_login shows the login form even with a session, and comes back without it', async () => {
      const client = await registerApp(app);
      const url = authorizeUrl(client);
      const res = await browser.get(`${url}&force_login=true`);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Log in to Pipit/);
      assert.match(res.body, new RegExp(`name="return_to" value="${url.replace(/[?]/g, '\\?').replace(/&/g, '&amp;')}"`));
      const other = new BrowserSession(app);
      const second = uniqueUsername('second');
      await other.signUp({ username: second });
      await other.logOut();
      await browser.get(`${url}&force_login=true`);
      const login = await browser.post('/auth/sign_in', { username: second, password: 'correct horse battery staple', return_to: url });
      assert.equal(login.statusCode, 303);
      assert.equal(login.headers.location, url);
      const consent = await browser.get(url);
      assert.match(consent.body, new RegExp(`@${second}`), 'now the second account is asked');
      await browser.logOut();
      assert.equal((await browser.signIn(username)).statusCode, 303);
    });
  });

  describe('refusals at authorize', () => {
    it('an unknown client or a redirect URI one character off gets an error page, never a redirect', async () => {
      const client = await registerApp(app);
      for (const url of [
        authorizeUrl(client, { redirect_uri: `${REDIRECT}/` }),
        authorizeUrl(client, { redirect_uri: REDIRECT.replace('callback', 'callbacK') }),
        authorizeUrl(client, { redirect_uri: 'https://evil.example/callback' }),
        authorizeUrl(client, { client_id: 'x'.repeat(43) }),
        '/oauth/authorize?response_type=code',
      ]) {
        const res = await browser.get(url);
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.headers.location, undefined, url);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.match(res.body, /This authorization request is not valid/);
      }
    });

    it('more scope than registered, a plain PKCE method, a bad response_type: back to the app with the error', async () => {
      const client = await registerApp(app, { scopes: 'read' });
      const cases: Array<[Record<string, string>, string]> = [
        [{ scope: 'read write' }, 'invalid_scope'],
        [{ scope: 'admin:read' }, 'invalid_scope'],
        [{ code_challenge: pkce().challenge, code_challenge_method: 'plain' }, 'invalid_request'],
        [{ response_type: 'token' }, 'unsupported_response_type'],
      ];
      for (const [params, error] of cases) {
        const res = await browser.get(authorizeUrl(client, { ...params, state: 'q' }));
        assert.equal(res.statusCode, 302, JSON.stringify(params));
        const location = new URL(String(res.headers.location));
        assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
        assert.equal(location.searchParams.get('error'), error);
        assert.ok(location.searchParams.get('error_description'));
        assert.equal(location.searchParams.get('state'), 'q');
      }
    });

    it('the consent form without its CSRF token is refused and issues nothing', async () => {
      const client = await registerApp(app);
      const page = await browser.get(authorizeUrl(client));
      const res = await browser.post('/oauth/authorize', { ...consentFields(page.body), decision: 'approve' }, { csrf: 'none' });
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers.location, undefined);
      const forged = await browser.post('/oauth/authorize', { ...consentFields(page.body), decision: 'approve' }, { csrf: 'forged-token' });
      assert.equal(forged.statusCode, 403);
    });

    it('a consent posted from another site is refused', async () => {
      const client = await registerApp(app);
      const page = await browser.get(authorizeUrl(client));
      const res = await browser.post('/oauth/authorize', { ...consentFields(page.body), decision: 'approve' }, { headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } });
      assert.equal(res.statusCode, 403);
    });
  });

  it('never answers 5xx to whatever /oauth/authorize gets, by GET or as a consent form', async () => {
    const client = await registerApp(app, { redirect_uris: [REDIRECT, OOB] });
    const value = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 20, unit: 'binary' }),
      fc.constantFrom('', 'code', 'read', 'read write', 'admin:read', 'S256', 'plain', 'approve', 'deny', REDIRECT, OOB, client.client_id, pkce().challenge, 'true'),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    );
    const keys = fc.constantFrom('response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'force_login', 'decision', '__proto__');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(keys, value, { maxKeys: 8 }), fc.boolean(), async (p, asForm) => {
        const query = qs.stringify(p);
        const res = asForm
          ? await (async () => {
              await browser.get('/settings/apps');
              return browser.post('/oauth/authorize', Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])));
            })()
          : await browser.get(`/oauth/authorize?${query}`);
        assert.ok(res.statusCode < 500, `${res.statusCode} for ${query}: ${res.body.slice(0, 300)}`);
        if (res.statusCode === 302) {
          const location = String(res.headers.location);
          assert.ok(location.startsWith(REDIRECT) || location.startsWith('/auth/sign_in'), `redirected only to a registered URI: ${location}`);
        }
      }),
      { numRuns: 120 },
    );
  });

});
