import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { BrowserSession, uniqueIp, type Response } from './browser-session.ts';

// An OAuth client, as far as tests need one: register an app, walk a logged-in browser through
// authorize and consent, exchange the code. Each call comes from an address of its own, so the per-IP
// rate limits of one test do not spill into another.

export interface TestApp {
  id: string;
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  redirect_uris: string[];
  scopes: string[];
}

export const REDIRECT = 'https://client.example/callback';

export async function registerApp(app: FastifyInstance, fields: Record<string, unknown> = {}): Promise<TestApp> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/apps',
    remoteAddress: uniqueIp(),
    payload: { client_name: 'Test client', redirect_uris: REDIRECT, scopes: 'read write follow push', ...fields },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as TestApp;
}

/** A PKCE pair as Phanpy makes one: a random verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(client: TestApp, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: client.redirect_uris[0]!, scope: 'read', ...params });
  return `/oauth/authorize?${query}`;
}

/** The hidden fields of the consent form, as the browser would send them back. */
export function consentFields(body: string): Record<string, string> {
  const form = /<form method="post" action="\/oauth\/authorize"[\s\S]*?<\/form>/.exec(body)?.[0];
  assert.ok(form, `a consent form in ${body.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]!] = m[2]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }
  delete fields._csrf;
  return fields;
}

/** Opens the consent page and presses a button; returns the response to the decision. */
export async function decide(browser: BrowserSession, url: string, decision: 'approve' | 'deny'): Promise<Response> {
  const page = await browser.get(url);
  assert.equal(page.statusCode, 200, page.body.slice(0, 1000));
  return browser.post('/oauth/authorize', { ...consentFields(page.body), decision });
}

/** Approves and returns the code from the redirect (and the redirect itself). */
export async function authorize(browser: BrowserSession, client: TestApp, params: Record<string, string> = {}): Promise<{ code: string; location: URL }> {
  const res = await decide(browser, authorizeUrl(client, params), 'approve');
  assert.equal(res.statusCode, 302, res.body.slice(0, 500));
  const location = new URL(String(res.headers.location));
  const code = location.searchParams.get('code');
  assert.ok(code, `a code in ${location}`);
  return { code, location };
}

export async function token(app: FastifyInstance, fields: Record<string, unknown>, options: { json?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
  const json = options.json ?? true;
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: uniqueIp(),
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', ...options.headers },
    payload: json ? JSON.stringify(fields) : new URLSearchParams(fields as Record<string, string>).toString(),
  });
}

/** The whole dance for a logged-in browser: authorize, approve, exchange; returns the access token. */
export async function userToken(app: FastifyInstance, browser: BrowserSession, client: TestApp, scope = 'read'): Promise<string> {
  const { code } = await authorize(browser, client, { scope });
  const res = await token(app, { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: client.redirect_uris[0] });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { access_token: string }).access_token;
}

export function bearer(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}` };
}
