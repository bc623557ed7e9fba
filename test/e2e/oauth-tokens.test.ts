import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { BrowserSession, uniqueIp } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { uniqueUsername } from '../helpers/accounts.ts';
import { authorize, bearer, pkce, REDIRECT, registerApp, token, userToken, type TestApp } from '../helpers/oauth.ts';

// POST /oauth/token and its refusals (a reused, expired or stolen code, a wrong PKCE verifier or secret,
// scope escalation, the password grant), HTTP Basic, CORS; revocation by the client and on the settings
// page, effective at once; and no credential stored in clear.

forEachBackend('OAuth tokens and revocation', (t) => {
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
