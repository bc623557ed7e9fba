import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from 'masto';
import type { Core } from '../../src/core/index.ts';
import { uniqueUsername } from './accounts.ts';
import { BrowserSession } from './browser-session.ts';
import { authorize, pkce, type TestApp } from './oauth.ts';

// Pipit as masto.js (the published client library) sees it: an app registered through the library,
// a person who signs up on the website and approves it, and a REST client holding their token.

export const REDIRECT = 'https://masto.example/callback';
export const SCOPES = 'read write follow';

export interface MastoApp {
  /** The app as masto.js returned it. */
  client: mastodon.v1.Client;
  /** The same app in the shape of test/helpers/oauth.ts, for its consent-page helpers. */
  testApp: TestApp;
}

/** Registers an app with `client.v1.apps.create`, as a masto.js app does on first start. */
export async function registerWithMasto(base: string): Promise<MastoApp> {
  const anonymous = createRestAPIClient({ url: base });
  const client = await anonymous.v1.apps.create({ clientName: 'masto.js e2e', redirectUris: REDIRECT, scopes: SCOPES, website: 'https://masto.example' });
  assert.ok(client.clientId && client.clientSecret, `credentials in ${JSON.stringify(client)}`);
  const testApp: TestApp = {
    id: String((client as { id?: unknown }).id),
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: REDIRECT,
    redirect_uris: [...(client.redirectUris ?? [])],
    scopes: [...(client.scopes ?? [])],
  };
  return { client, testApp };
}

/** Signs a new person up on the website (through the app, as a browser would). */
export async function signUpOnWebsite(app: FastifyInstance, prefix: string): Promise<{ username: string; browser: BrowserSession }> {
  const browser = new BrowserSession(app);
  const username = uniqueUsername(prefix).toLowerCase();
  const res = await browser.signUp({ username });
  assert.ok(res.statusCode < 400, res.body.slice(0, 300));
  return { username, browser };
}

/**
 * The whole dance with PKCE S256: approve on the consent page with a challenge, then exchange the code
 * and the verifier through masto.js's own OAuth client (its types have no `codeVerifier`, but it sends
 * every parameter it is given, snake-cased: `code_verifier`).
 */
export async function tokenWithPkce(base: string, browser: BrowserSession, registered: MastoApp): Promise<mastodon.v1.Token> {
  const { verifier, challenge } = pkce();
  const { code } = await authorize(browser, registered.testApp, { scope: SCOPES, code_challenge: challenge, code_challenge_method: 'S256' });
  const oauth = createOAuthAPIClient({ url: base });
  const params = {
    grantType: 'authorization_code',
    clientId: registered.testApp.client_id,
    clientSecret: registered.testApp.client_secret,
    redirectUri: REDIRECT,
    code,
    codeVerifier: verifier,
    scope: SCOPES,
  } as const;
  return oauth.token.create(params);
}

/** The dance without PKCE, the code exchanged by a plain form POST (as older clients do). */
export async function tokenWithoutPkce(base: string, browser: BrowserSession, registered: MastoApp): Promise<{ access_token: string; token_type: string; scope: string; created_at: number }> {
  const { code } = await authorize(browser, registered.testApp, { scope: SCOPES });
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: registered.testApp.client_id, client_secret: registered.testApp.client_secret, redirect_uri: REDIRECT }),
  });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return JSON.parse(body) as { access_token: string; token_type: string; scope: string; created_at: number };
}

/** A REST client of masto.js for this token. */
export function restClient(base: string, accessToken: string): mastodon.rest.Client {
  return createRestAPIClient({ url: base, accessToken, timeout: 30_000 });
}

export interface MastoUser {
  id: string;
  username: string;
  accessToken: string;
  rest: mastodon.rest.Client;
}

/** A person signed up on the website, with a token for `registered` (PKCE) and a masto.js client. */
export async function mastoUser(base: string, app: FastifyInstance, core: Core, registered: MastoApp, prefix: string): Promise<MastoUser> {
  const { username, browser } = await signUpOnWebsite(app, prefix);
  const token = await tokenWithPkce(base, browser, registered);
  const account = await core.accounts.getAccountByUsername(username);
  return { id: account.id, username, accessToken: token.accessToken, rest: restClient(base, token.accessToken) };
}
