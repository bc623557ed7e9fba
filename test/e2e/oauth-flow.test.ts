import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import qs from 'qs';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession, uniqueIp } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { createAccount, TEST_PASSWORD, uniqueUsername } from '../helpers/accounts.ts';
import { authorize, authorizeUrl, bearer, consentFields, decide, pkce, REDIRECT, registerApp, token, userToken, type TestApp } from '../helpers/oauth.ts';

// The authorization code dance as clients dance it (Elk: JSON, no PKCE; Phanpy: form, PKCE; Tusky:
// custom scheme; oob: the code on a page), and every way it must refuse: a redirect URI one character
// off, a reused or expired code, a wrong PKCE verifier, more scope than registered, the password grant,
// a forged consent. Then revocation (by the client and on the settings page), effective at once.

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

  describe('refusals at the token endpoint', () => {
    it('a code works once; the second use fails and the first token keeps working', async () => {
      const client = await registerApp(app);
      const { code } = await authorize(browser, client);
      const first = await exchange(client, code);
      assert.equal(first.statusCode, 200);
      const again = await exchange(client, code);
      assert.equal(again.statusCode, 400);
      assert.equal(again.json().error, 'invalid_grant');
      assert.ok(again.json().error_description);
      assert.equal((await verify(first.json().access_token)).statusCode, 200, 'Doorkeeper revokes nothing on a reused code');
    });

    it('the same code exchanged by concurrent requests gives exactly one token', async () => {
      const client = await registerApp(app);
      const { code } = await authorize(browser, client);
      const answers = await Promise.all(Array.from({ length: 5 }, () => exchange(client, code)));
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 400, 400, 400, 400]);
    });

    it('a code expires after 10 minutes (the clock moved, not waited for)', async () => {
      const client = await registerApp(app);
      const { code } = await authorize(browser, client);
      const fresh = await authorize(browser, client);
      mock.timers.enable({ apis: ['Date'], now: Date.now() + 10 * 60 * 1000 + 1000 });
      try {
        const res = await exchange(client, code);
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_grant');
        assert.match(res.json().error_description, /expired/);
        const removed = await t.core.maintenance.deleteExpiredRows();
        assert.ok(removed.oauthCodes >= 2, `the hourly cleanup removes expired codes: ${JSON.stringify(removed)}`);
      } finally {
        mock.timers.reset();
      }
      assert.equal((await exchange(client, fresh.code)).json().error, 'invalid_grant', 'the cleanup removed the other one too');
    });

    it('the redirect URI must be the one of the authorize request', async () => {
      const client = await registerApp(app, { redirect_uris: [REDIRECT, 'https://client.example/other'] });
      const { code } = await authorize(browser, client);
      const res = await exchange(client, code, { redirect_uri: 'https://client.example/other' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_grant');
    });

    it('PKCE: a wrong or missing verifier is refused', async () => {
      const client = await registerApp(app);
      const { challenge } = pkce();
      const one = await authorize(browser, client, { code_challenge: challenge, code_challenge_method: 'S256' });
      const wrong = await exchange(client, one.code, { code_verifier: pkce().verifier });
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.json().error, 'invalid_grant');
      assert.match(wrong.json().error_description, /code_verifier/);
      const two = await authorize(browser, client, { code_challenge: challenge, code_challenge_method: 'S256' });
      const missing = await exchange(client, two.code);
      assert.equal(missing.json().error, 'invalid_grant');
    });

    it("another app's code, a wrong secret, no secret: invalid_client or invalid_grant, never a token", async () => {
      const client = await registerApp(app);
      const other = await registerApp(app);
      const { code } = await authorize(browser, client);
      const stolen = await token(app, { grant_type: 'authorization_code', code, client_id: other.client_id, client_secret: other.client_secret, redirect_uri: REDIRECT });
      assert.equal(stolen.json().error, 'invalid_grant');
      const badSecret = await token(app, { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: other.client_secret, redirect_uri: REDIRECT });
      assert.equal(badSecret.statusCode, 401);
      assert.equal(badSecret.json().error, 'invalid_client');
      const noSecret = await token(app, { grant_type: 'authorization_code', code, client_id: client.client_id, redirect_uri: REDIRECT });
      assert.equal(noSecret.statusCode, 401);
    });

    it('HTTP Basic client authentication', async () => {
      const client = await registerApp(app);
      const { code } = await authorize(browser, client);
      const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
      const res = await token(app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { json: false, headers: { authorization: basic } });
      assert.equal(res.statusCode, 200, res.body);
      const wrong = `Basic ${Buffer.from(`${client.client_id}:nope-nope-nope-nope-nope-nope`).toString('base64')}`;
      const refused = await token(app, { grant_type: 'client_credentials' }, { json: false, headers: { authorization: wrong } });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().error, 'invalid_client');
      assert.match(String(refused.headers['www-authenticate']), /^Basic/);
    });

    it('the password grant is refused with a clear reason; unknown grants too', async () => {
      const client = await registerApp(app);
      const res = await token(app, { grant_type: 'password', username: username, password: 'correct horse battery staple', client_id: client.client_id, client_secret: client.client_secret });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'unsupported_grant_type');
      assert.match(res.json().error_description, /password grant is not supported/);
      assert.equal((await token(app, { grant_type: 'refresh_token' })).json().error, 'unsupported_grant_type');
      const none = await token(app, {});
      assert.equal(none.statusCode, 400);
      assert.equal(none.json().error, 'invalid_request');
    });

    it('client_credentials: an app token within the app scopes; escalation refused', async () => {
      const client = await registerApp(app, { scopes: 'read write' });
      const res = await token(app, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'read' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().scope, 'read');
      const me = await verify(res.json().access_token);
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().name, 'Test client');
      const escalate = await token(app, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'read follow' });
      assert.equal(escalate.statusCode, 400);
      assert.equal(escalate.json().error, 'invalid_scope');
      const userinfo = await app.inject({ url: '/oauth/userinfo', headers: bearer(res.json().access_token) });
      assert.equal(userinfo.statusCode, 422, 'userinfo needs a user');
      assert.deepEqual(userinfo.json(), { error: 'This method requires an authenticated user' });
    });

    it('answers a browser from another origin (CORS) and takes the token request cross-site', async () => {
      const client = await registerApp(app);
      const { code } = await authorize(browser, client);
      const res = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: uniqueIp(),
        headers: { origin: 'https://phanpy.social', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT }).toString(),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['access-control-allow-origin'], '*');
    });
  });

  describe('revocation', () => {
    const revoke = (client: TestApp, accessToken: string) =>
      app.inject({ method: 'POST', url: '/oauth/revoke', payload: { client_id: client.client_id, client_secret: client.client_secret, token: accessToken } });

    it('by the client: 200 {}, the token fails at once, and again is fine', async () => {
      const client = await registerApp(app);
      const accessToken = await userToken(app, browser, client);
      assert.equal((await verify(accessToken)).statusCode, 200);
      const res = await revoke(client, accessToken);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {});
      const after = await verify(accessToken);
      assert.equal(after.statusCode, 401);
      assert.deepEqual(after.json(), { error: 'The access token is invalid' });
      assert.deepEqual((await revoke(client, accessToken)).json(), {}, 'idempotent');
      assert.equal((await revoke(client, 'never-issued-never-issued-never-issued-xyz')).statusCode, 200);
    });

    it("someone else's token: 403 unauthorized_client, and it keeps working", async () => {
      const mine = await registerApp(app);
      const theirs = await registerApp(app);
      const accessToken = await userToken(app, browser, theirs);
      const res = await revoke(mine, accessToken);
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error, 'unauthorized_client');
      assert.equal((await verify(accessToken)).statusCode, 200);
    });

    it('on the settings page: listed with its scopes and last use, revoked at once', async () => {
      const client = await registerApp(app, { client_name: 'Settings Test App', website: 'https://settings.example' });
      const accessToken = await userToken(app, browser, client, 'read write');
      assert.equal((await verify(accessToken)).statusCode, 200);
      const menu = await browser.get('/');
      assert.match(menu.body, /href="\/settings\/apps"/, 'linked from the account menu');
      const page = await browser.get('/settings/apps');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Settings Test App/);
      assert.match(page.body, /href="https:\/\/settings.example"/);
      assert.match(page.body, /Read everything in your account/);
      assert.match(page.body, /last used <time/);
      const action = new RegExp(`action="/settings/apps/${client.id}/revoke"`);
      assert.match(page.body, action);
      const forged = await browser.post(`/settings/apps/${client.id}/revoke`, {}, { csrf: 'none' });
      assert.equal(forged.statusCode, 403);
      assert.equal((await verify(accessToken)).statusCode, 200, 'no CSRF token, nothing revoked');
      await browser.get('/settings/apps');
      const res = await browser.post(`/settings/apps/${client.id}/revoke`, {});
      assert.equal(res.statusCode, 303);
      assert.equal((await verify(accessToken)).statusCode, 401);
      const after = await browser.get(res.headers.location as string);
      assert.match(after.body, /Access revoked/);
      assert.doesNotMatch(after.body, action);
    });

    it('the settings page needs a login', async () => {
      const res = await new BrowserSession(app).get('/settings/apps');
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), /^\/auth\/sign_in/);
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

  it('stores no secret, code or token in clear', async () => {
    const client = await registerApp(app);
    const { code } = await authorize(browser, client);
    const pending = await authorize(browser, client);
    const res = await exchange(client, code);
    const accessToken = res.json().access_token as string;
    const rows = await t.core.oauth.storedOAuthRows();
    assert.ok(rows.length >= 3);
    const all = rows.join('\n');
    for (const secret of [client.client_secret, code, pending.code, accessToken]) assert.ok(!all.includes(secret), 'a credential appears in clear');
    assert.ok(all.includes(client.client_id), 'the client id is public and stored as is (the check can see the rows)');
  });
});
