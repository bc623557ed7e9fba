import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Core } from '../../src/core/index.ts';
import { uniqueUsername } from './accounts.ts';
import { BrowserSession, uniqueIp, type Response } from './browser-session.ts';
import { bearer, registerApp, token, userToken, type TestApp } from './oauth.ts';

// API callers for tests: a signed-up user with tokens of the scopes asked for, issued through the real
// OAuth dance, and a small `call` that sends JSON with one of them.

export interface ApiUser {
  id: string;
  username: string;
  browser: BrowserSession;
  /** A token with `read write follow`. */
  token: string;
  /** A token of this user with the given scope (the same one on each call for a scope). */
  tokenFor(scope: string): Promise<string>;
}

/** Signs a new user up on the website and authorizes a client for them. */
export async function apiUser(app: FastifyInstance, core: Core, client: TestApp, prefix = 'api'): Promise<ApiUser> {
  const username = uniqueUsername(prefix).toLowerCase();
  const browser = new BrowserSession(app);
  const res = await browser.signUp({ username });
  assert.ok(res.statusCode < 400, res.body.slice(0, 300));
  const account = await core.accounts.getAccountByUsername(username);
  // Once approved, a scope is not asked again (the consent page is skipped): one token per scope.
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (scope: string) => {
    if (!tokens.has(scope)) tokens.set(scope, userToken(app, browser, client, scope));
    return tokens.get(scope)!;
  };
  return { id: account.id, username, browser, token: await tokenFor('read write follow'), tokenFor };
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

export { registerApp };
