import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Account, Core } from '../../src/core/index.ts';
import { uniqueUsername } from './accounts.ts';
import { BrowserSession, uniqueIp, type Response } from './browser-session.ts';
import { bearer, registerApp, token, userToken, type TestApp } from './oauth.ts';

// API callers for tests: a person signed up on the website with tokens issued through the real OAuth
// dance, an app's own token, and a small `call` that sends JSON with one of them.

export interface ApiUser {
  account: Account;
  id: string;
  username: string;
  browser: BrowserSession;
  /** A token of the scope asked for at sign-up (`read write follow` by default). */
  token: string;
  /** A token of this user with `scope`, from the same client (the same one on each call for a scope). */
  tokenFor(scope: string): Promise<string>;
}

/** Signs up `prefix_…` and authorizes `client` (one registered when not given) for a token of `scope`. */
export async function apiUser(app: FastifyInstance, core: Core, options: { prefix?: string; scope?: string; client?: TestApp } = {}): Promise<ApiUser> {
  const browser = new BrowserSession(app);
  const username = uniqueUsername(options.prefix ?? 'api').toLowerCase();
  const res = await browser.signUp({ username });
  assert.ok(res.statusCode < 400, `sign-up failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const client = options.client ?? (await registerApp(app));
  // Once approved, a scope is not asked again (the consent page is skipped): one token per scope.
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (scope: string) => {
    if (!tokens.has(scope)) tokens.set(scope, userToken(app, browser, client, scope));
    return tokens.get(scope)!;
  };
  const account = await core.accounts.getAccountByUsername(username);
  return { account, id: account.id, username, browser, token: await tokenFor(options.scope ?? 'read write follow'), tokenFor };
}

/** Another token of `scope` for an existing user, through a client registered with every scope (or `client`). */
export async function anotherToken(app: FastifyInstance, user: ApiUser, scope: string, client?: TestApp): Promise<string> {
  return userToken(app, user.browser, client ?? (await registerApp(app, { scopes: 'read write follow push profile' })), scope);
}

/** A client_credentials token (no user) of `client`. */
export async function appToken(app: FastifyInstance, client: TestApp, scope = 'read write'): Promise<string> {
  const res = await token(app, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { access_token: string }).access_token;
}

export interface CallOptions {
  token?: string | undefined;
  payload?: unknown;
  headers?: Record<string, string>;
}

/** One API request (JSON body when there is a payload) with an optional bearer token. */
export function call(app: FastifyInstance, method: InjectOptions['method'], url: string, options: CallOptions = {}): Promise<Response> {
  return app.inject({
    method,
    url,
    remoteAddress: uniqueIp(),
    headers: { ...(options.token ? bearer(options.token) : {}), ...(options.payload !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.payload !== undefined ? { payload: JSON.stringify(options.payload) } : {}),
  });
}
