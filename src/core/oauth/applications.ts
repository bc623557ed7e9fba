import type { Selectable } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { OAuthApplicationsTable } from '../db/schema.ts';
import { Invalid } from '../domain/errors.ts';
import { DEFAULT_SCOPES, isKnownScope, joinScopes, splitScopes } from '../domain/oauth-scopes.ts';
import { MAX_REDIRECT_URIS, redirectUriProblem, splitRedirectUris } from '../domain/redirect-uris.ts';
import { cleanText } from '../domain/text-input.ts';
import { digest, looksLikeSecret, matchesDigest, newSecret } from './secrets.ts';
import { OAuthError } from './oauth-error.ts';

/** A registered OAuth client, as the rest of the system sees it (never its secret). */
export interface OAuthApp {
  id: string;
  name: string;
  website: string | null;
  redirectUris: string[];
  scopes: string[];
  clientId: string;
  createdAt: Date;
}

/** What registration returns, once: the only time the client secret exists in clear. */
export interface RegisteredApp extends OAuthApp {
  clientSecret: string;
}

/** Registration input as clients send it (JSON, form or query): any shape, checked here. */
export interface AppRegistration {
  clientName?: unknown;
  redirectUris?: unknown;
  scopes?: unknown;
  website?: unknown;
}

export const MAX_APP_NAME_LENGTH = 200;
export const MAX_WEBSITE_LENGTH = 2000;
const MAX_SCOPES_INPUT = 1000;

export const APP_COLUMNS = ['id', 'name', 'website', 'redirect_uris', 'scopes', 'client_id', 'created_at'] as const;

export function toOAuthApp(row: Pick<Selectable<OAuthApplicationsTable>, (typeof APP_COLUMNS)[number]>): OAuthApp {
  return {
    id: row.id,
    name: row.name,
    website: row.website,
    redirectUris: row.redirect_uris,
    scopes: splitScopes(row.scopes),
    clientId: row.client_id,
    createdAt: row.created_at,
  };
}

function stringOrList(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/** Scopes from input: `undefined` when absent, or the list; problems are pushed onto `problems`. */
export function parseRequestedScopes(value: unknown, problems: string[]): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const given = stringOrList(value);
  if (given === undefined || (typeof given === 'string' ? given.length : given.join(' ').length) > MAX_SCOPES_INPUT) {
    problems.push('Scopes must be a space-separated list of scopes');
    return undefined;
  }
  const scopes = splitScopes(given);
  const unknown = scopes.filter((s) => !isKnownScope(s));
  if (unknown.length > 0) problems.push(`Scopes include unknown scopes: ${unknown.slice(0, 5).join(', ').slice(0, 200)}`);
  return scopes.length > 0 ? scopes : undefined;
}

function parseName(value: unknown, problems: string[]): string {
  const name = typeof value === 'string' ? cleanText(value).trim() : '';
  if (typeof value !== 'string' && value !== undefined && value !== null) problems.push('Name must be text');
  else if (name === '') problems.push("Name can't be blank");
  else if (name.length > MAX_APP_NAME_LENGTH) problems.push(`Name is too long (maximum is ${MAX_APP_NAME_LENGTH} characters)`);
  return name;
}

function parseWebsite(value: unknown, problems: string[]): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    problems.push('Website must be text');
    return null;
  }
  const website = value.trim();
  if (website.length > MAX_WEBSITE_LENGTH) problems.push(`Website is too long (maximum is ${MAX_WEBSITE_LENGTH} characters)`);
  else if (!/^https?:\/\/[\x21-\x7e]+$/i.test(website) || !URL.canParse(website)) problems.push('Website must be an http or https URL');
  return website === '' ? null : website;
}

function parseRedirectUris(value: unknown, problems: string[]): string[] {
  const given = stringOrList(value);
  if (value === undefined || value === null || value === '') {
    problems.push("Redirect URI can't be blank");
    return [];
  }
  if (given === undefined) {
    problems.push('Redirect URI must be a string, a newline-separated list or an array');
    return [];
  }
  const uris = splitRedirectUris(given);
  if (uris.length === 0) problems.push("Redirect URI can't be blank");
  else if (uris.length > MAX_REDIRECT_URIS) problems.push(`Redirect URI: at most ${MAX_REDIRECT_URIS} may be registered`);
  else {
    const problem = uris.map(redirectUriProblem).find((p) => p !== undefined);
    if (problem) problems.push(`Redirect URI is invalid: ${problem}`);
  }
  return uris;
}

/** Registers an OAuth client (POST /api/v1/apps); throws Invalid listing every problem of the input. */
export async function registerApp(ctx: CoreContext, input: AppRegistration, options: { ownerAccountId?: string } = {}): Promise<RegisteredApp> {
  const problems: string[] = [];
  const name = parseName(input.clientName, problems);
  const redirectUris = parseRedirectUris(input.redirectUris, problems);
  const scopes = parseRequestedScopes(input.scopes, problems) ?? [...DEFAULT_SCOPES];
  const website = parseWebsite(input.website, problems);
  if (problems.length > 0) throw new Invalid(problems.join(', '), 'client_name');
  const clientId = newSecret();
  const clientSecret = newSecret();
  const row = await ctx.db
    .insertInto('oauth_applications')
    .values({
      name,
      website,
      redirect_uris: redirectUris,
      scopes: joinScopes(scopes),
      client_id: clientId,
      client_secret_hash: digest(clientSecret),
      owner_account_id: options.ownerAccountId ?? null,
    })
    .returning(APP_COLUMNS)
    .executeTakeFirstOrThrow();
  return { ...toOAuthApp(row), clientSecret };
}

/** The app with this client id, or `undefined`. */
export async function findApp(ctx: CoreContext, clientId: string): Promise<OAuthApp | undefined> {
  if (!looksLikeSecret(clientId)) return undefined;
  const row = await ctx.db.selectFrom('oauth_applications').select(APP_COLUMNS).where('client_id', '=', clientId).executeTakeFirst();
  return row ? toOAuthApp(row) : undefined;
}

/** The app these client credentials identify; throws OAuthError `invalid_client` otherwise. */
export async function authenticateClient(ctx: CoreContext, clientId: string, clientSecret: string): Promise<OAuthApp> {
  const refused = new OAuthError('invalid_client', 'Client authentication failed: unknown client, no client authentication included, or the client secret is wrong.');
  if (!looksLikeSecret(clientId) || !looksLikeSecret(clientSecret)) throw refused;
  const row = await ctx.db
    .selectFrom('oauth_applications')
    .select([...APP_COLUMNS, 'client_secret_hash'])
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!row || !matchesDigest(clientSecret, row.client_secret_hash)) throw refused;
  return toOAuthApp(row);
}
