import type { FastifyInstance } from 'fastify';
import type { Account, Core } from '../../src/core/index.ts';
import { uniqueUsername } from './accounts.ts';
import { BrowserSession } from './browser-session.ts';
import { registerApp, userToken, type TestApp } from './oauth.ts';

// A person using the API: signed up on the website, then a token through the real OAuth dance.

export interface ApiUser {
  account: Account;
  browser: BrowserSession;
  token: string;
}

/** Signs up `prefix_…` and gets a token of `scope` for `client` (one registered when not given). */
export async function apiUser(app: FastifyInstance, core: Core, options: { prefix?: string; scope?: string; client?: TestApp } = {}): Promise<ApiUser> {
  const browser = new BrowserSession(app);
  const username = uniqueUsername(options.prefix ?? 'api');
  const res = await browser.signUp({ username });
  if (res.statusCode >= 400) throw new Error(`sign-up failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const client = options.client ?? (await registerApp(app));
  const token = await userToken(app, browser, client, options.scope ?? 'read write follow');
  return { account: await core.accounts.getAccountByUsername(username), browser, token };
}

/** Another token of `scope` for an existing user (same browser session). */
export async function anotherToken(app: FastifyInstance, user: ApiUser, scope: string, client?: TestApp): Promise<string> {
  return userToken(app, user.browser, client ?? (await registerApp(app, { scopes: 'read write follow push profile' })), scope);
}
