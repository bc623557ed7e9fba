import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../../src/web/app.ts';
import { registerBearerAuthentication, requireScope, requireToken } from '../../src/web/api/authenticate.ts';
import { BrowserSession } from '../helpers/browser-session.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { uniqueUsername } from '../helpers/accounts.ts';
import { bearer, registerApp, token, userToken } from '../helpers/oauth.ts';

// The API's bearer authentication (web/api/authenticate.ts) as the API scope will use it: routes that
// need `read:statuses`, `write:statuses`, `read:follows`, a user, or any token, on a small app of their
// own, with tokens issued by Pipit's real OAuth endpoints. The hierarchy and Mastodon's refusals.

forEachBackend('API bearer authentication and scopes', (t) => {
  let site: FastifyInstance;
  let api: FastifyInstance;
  let browser: BrowserSession;
  before(async () => {
    site = await buildApp(t.core);
    api = Fastify();
    registerBearerAuthentication(api, t.core);
    const ok = async () => ({ ok: true });
    api.get('/read-statuses', { preHandler: requireScope('read:statuses') }, ok);
    api.post('/write-statuses', { preHandler: requireScope('write:statuses', { user: true }) }, ok);
    api.get('/read-follows', { preHandler: requireScope('read:follows') }, ok);
    api.get('/verify-account', { preHandler: requireScope(['read:accounts', 'profile'], { user: true }) }, ok);
    api.get('/any', { preHandler: requireToken() }, async (request) => ({ app: request.token!.app.name, account: request.token!.account?.username ?? null, scopes: request.token!.scopes }));
    await api.ready();
    browser = new BrowserSession(site);
    await browser.signUp({ username: uniqueUsername('scopes') });
  });
  after(async () => {
    await api?.close();
    await site?.close();
  });

  const call = (path: string, accessToken?: string, method: 'GET' | 'POST' = path.startsWith('/write') ? 'POST' : 'GET') =>
    api.inject({ method, url: path, headers: accessToken ? bearer(accessToken) : {} });

  it('a read token may read, may not write', async () => {
    const accessToken = await userToken(site, browser, await registerApp(site), 'read');
    assert.equal((await call('/read-statuses', accessToken)).statusCode, 200);
    assert.equal((await call('/read-follows', accessToken)).statusCode, 200);
    const write = await call('/write-statuses', accessToken);
    assert.equal(write.statusCode, 403);
    assert.deepEqual(write.json(), { error: 'This action is outside the authorized scopes' });
    const any = await call('/any', accessToken);
    assert.deepEqual(any.json().scopes, ['read']);
    assert.equal(any.json().app, 'Test client');
  });

  it('write covers write:statuses; follow covers read:follows but not read:statuses; granular scopes stay granular', async () => {
    const client = await registerApp(site);
    const writer = await userToken(site, browser, client, 'write');
    assert.equal((await call('/write-statuses', writer)).statusCode, 200);
    assert.equal((await call('/read-statuses', writer)).statusCode, 403);
    const follow = await userToken(site, browser, client, 'follow');
    assert.equal((await call('/read-follows', follow)).statusCode, 200);
    assert.equal((await call('/read-statuses', follow)).statusCode, 403);
    const granular = await userToken(site, browser, client, 'read:statuses');
    assert.equal((await call('/read-statuses', granular)).statusCode, 200);
    assert.equal((await call('/read-follows', granular)).statusCode, 403);
  });

  it('profile: only verify_credentials and userinfo', async () => {
    const client = await registerApp(site, { scopes: 'profile read' });
    const profile = await userToken(site, browser, client, 'profile');
    assert.equal((await call('/verify-account', profile)).statusCode, 200);
    assert.equal((await site.inject({ url: '/oauth/userinfo', headers: bearer(profile) })).statusCode, 200);
    assert.equal((await site.inject({ url: '/api/v1/apps/verify_credentials', headers: bearer(profile) })).statusCode, 200);
    assert.equal((await call('/read-statuses', profile)).statusCode, 403);
    assert.equal((await call('/read-follows', profile)).statusCode, 403);
    const readOnly = await userToken(site, browser, client, 'read');
    assert.equal((await site.inject({ method: 'POST', url: '/oauth/userinfo', headers: bearer(readOnly) })).statusCode, 200, 'read covers read:accounts');
  });

  it('no token, an unknown one, a malformed header: 401 with Mastodon\'s message', async () => {
    for (const headers of [{}, bearer('x'.repeat(43)), { authorization: 'Bearer' }, { authorization: `Bearer ${'é'.repeat(300)}` }]) {
      const res = await api.inject({ url: '/read-statuses', headers });
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.deepEqual(res.json(), { error: 'The access token is invalid' });
    }
  });

  it('the token also comes as ?access_token=', async () => {
    const accessToken = await userToken(site, browser, await registerApp(site), 'read');
    assert.equal((await api.inject({ url: `/read-statuses?access_token=${accessToken}` })).statusCode, 200);
  });

  it('an app token where a user is needed: 422', async () => {
    const client = await registerApp(site, { scopes: 'read write' });
    const res = await token(site, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'write' });
    const appToken = res.json().access_token as string;
    const write = await call('/write-statuses', appToken);
    assert.equal(write.statusCode, 422);
    assert.deepEqual(write.json(), { error: 'This method requires an authenticated user' });
    assert.equal((await call('/any', appToken)).json().account, null);
  });

  it('revoked: refused at the very next request', async () => {
    const client = await registerApp(site);
    const accessToken = await userToken(site, browser, client, 'read');
    assert.equal((await call('/read-statuses', accessToken)).statusCode, 200);
    await site.inject({ method: 'POST', url: '/oauth/revoke', payload: { client_id: client.client_id, client_secret: client.client_secret, token: accessToken } });
    assert.equal((await call('/read-statuses', accessToken)).statusCode, 401);
  });
});
