import { sql } from 'kysely';
import { toAccount, type Account } from '../accounts/account-view.ts';
import type { CoreContext } from '../context.ts';
import { DEFAULT_SCOPES, joinScopes, scopesWithin, splitScopes } from '../domain/oauth-scopes.ts';
import { APP_COLUMNS, parseRequestedScopes, toOAuthApp, type OAuthApp } from './applications.ts';
import { OAuthError } from './oauth-error.ts';
import { digest, looksLikeSecret, matchesDigest, newSecret, s256 } from './secrets.ts';
import { RateLimited } from '../domain/errors.ts';
import { executePrepared } from '../db/prepared.ts';
import { compiledOnce } from '../db/compiled-once.ts';
import { addHitsStatement, coalesced, countOf, rateKey, rateStateOf, windowRow } from '../rate-limits/hits.ts';
import type { RateRule, RateState } from '../rate-limits/rate-limits.ts';

// Access tokens never expire (Mastodon's clients never refresh); they end when revoked. Each grant
// issues a new token rather than handing back an existing one for the same account, app and scopes as
// Doorkeeper does: we keep only digests, so an existing token cannot be given out again, and a second
// device logging in with the same app should not share (and, by revoking, kill) the first one's token.

/** A token as issued: the only time it exists in clear. */
export interface IssuedToken {
  accessToken: string;
  scopes: string[];
  createdAt: Date;
}

/** Who a bearer token speaks for: an account (user token) or only the app (client_credentials). */
export interface TokenOwner {
  tokenId: string;
  account: Account | null;
  app: OAuthApp;
  scopes: string[];
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
// Writing last_used_at on every API call would turn each read into a write; a minute is precise enough.
const TOUCH_AFTER_MS = 60 * 1000;

async function insertToken(ctx: CoreContext, appId: string, accountId: string | null, scopes: string[]): Promise<IssuedToken> {
  const accessToken = newSecret();
  const row = await ctx.db
    .insertInto('oauth_access_tokens')
    .values({ token_hash: digest(accessToken), application_id: appId, account_id: accountId, scopes: joinScopes(scopes) })
    .returning('created_at')
    .executeTakeFirstOrThrow();
  return { accessToken, scopes, createdAt: row.created_at };
}

export interface CodeExchange {
  code?: unknown;
  redirectUri?: unknown;
  codeVerifier?: unknown;
}

const BAD_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

/**
 * Exchanges an authorization code for a token (grant_type=authorization_code). The code is claimed
 * before anything else is checked, so it works once at most, even under concurrent requests; a failed
 * check (wrong redirect URI, PKCE verifier) uses it up too. Nothing else is revoked.
 */
export async function exchangeAuthorizationCode(ctx: CoreContext, app: OAuthApp, input: CodeExchange): Promise<IssuedToken> {
  const code = input.code;
  if (typeof code !== 'string' || code === '') throw new OAuthError('invalid_request', 'The code parameter is missing.');
  if (typeof input.redirectUri !== 'string' || input.redirectUri === '') {
    throw new OAuthError('invalid_request', 'redirect_uri is missing: send the one of the authorization request.');
  }
  if (!looksLikeSecret(code)) throw new OAuthError('invalid_grant', BAD_GRANT);
  const claimed = await ctx.db
    .updateTable('oauth_authorization_codes')
    .set({ used_at: new Date() })
    .where('code_hash', '=', digest(code))
    .where('used_at', 'is', null)
    .returning(['application_id', 'account_id', 'redirect_uri', 'scopes', 'code_challenge', 'expires_at'])
    .executeTakeFirst();
  if (!claimed || claimed.application_id !== app.id) throw new OAuthError('invalid_grant', BAD_GRANT);
  if (claimed.expires_at.getTime() <= Date.now()) throw new OAuthError('invalid_grant', 'The authorization code has expired (codes last 10 minutes). Please authorize again.');
  if (input.redirectUri !== claimed.redirect_uri) throw new OAuthError('invalid_grant', BAD_GRANT);
  if (claimed.code_challenge !== null) {
    const verifier = input.codeVerifier;
    if (typeof verifier !== 'string' || !VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'The code_verifier is missing or malformed (43–128 characters of A–Z, a–z, 0–9, "-", ".", "_", "~").');
    if (s256(verifier) !== claimed.code_challenge) throw new OAuthError('invalid_grant', 'The code_verifier does not match the code_challenge of the authorization request.');
  }
  // A `scope` sent along (Elk and Ice Cubes do) is ignored: the token gets what the person approved.
  return insertToken(ctx, app.id, claimed.account_id, splitScopes(claimed.scopes));
}

/** Issues an app token (grant_type=client_credentials), for scopes within the app's; default `read`. */
export async function issueClientCredentialsToken(ctx: CoreContext, app: OAuthApp, scope: unknown): Promise<IssuedToken> {
  const problems: string[] = [];
  const scopes = parseRequestedScopes(scope, problems) ?? [...DEFAULT_SCOPES];
  if (problems.length > 0) throw new OAuthError('invalid_scope', problems.join(', '));
  if (!scopesWithin(app.scopes, scopes)) throw new OAuthError('invalid_scope', `The requested scope is invalid, unknown, or malformed: the app registered only "${joinScopes(app.scopes)}".`);
  return insertToken(ctx, app.id, null, scopes);
}

/** Revokes a token the app holds (RFC 7009); unknown or already revoked tokens are fine (idempotent). */
export async function revokeToken(ctx: CoreContext, app: OAuthApp, token: unknown): Promise<void> {
  if (typeof token !== 'string' || token === '') throw new OAuthError('invalid_request', 'The token parameter is missing.');
  if (!looksLikeSecret(token)) return;
  const row = await ctx.db.selectFrom('oauth_access_tokens').select(['id', 'application_id']).where('token_hash', '=', digest(token)).executeTakeFirst();
  if (!row) return;
  if (row.application_id !== app.id) throw new OAuthError('unauthorized_client', 'You are not authorized to revoke this token: it was issued to another app.');
  await ctx.db.updateTable('oauth_access_tokens').set({ revoked_at: new Date() }).where('id', '=', row.id).where('revoked_at', 'is', null).execute();
}

/** The token, its app and its account (if any) found by the token's digest. */
function ownerQuery(ctx: CoreContext, hash: Buffer | string) {
  return ctx.db
    .selectFrom('oauth_access_tokens as t')
    .innerJoin('oauth_applications as app', 'app.id', 't.application_id')
    .leftJoin('accounts', 'accounts.id', 't.account_id')
    .select(['t.id as token_id', 't.scopes as token_scopes', 't.last_used_at', 't.account_id as token_account_id', 't.token_hash'])
    .select(APP_COLUMNS.map((c) => `app.${c}` as const))
    .select([
      'accounts.id as account_id',
      'accounts.username as account_username',
      'accounts.display_name as account_display_name',
      'accounts.note as account_note',
      'accounts.is_admin as account_is_admin',
      'accounts.locked as account_locked',
      'accounts.bot as account_bot',
      'accounts.discoverable as account_discoverable',
      'accounts.statuses_count as account_statuses_count',
      'accounts.followers_count as account_followers_count',
      'accounts.following_count as account_following_count',
      'accounts.last_status_at as account_last_status_at',
      'accounts.created_at as account_created_at',
      'accounts.avatar_key as account_avatar_key',
      'accounts.avatar_small_key as account_avatar_small_key',
      'accounts.header_key as account_header_key',
    ])
    // A string only as compiledOnce's marker for the digest (authenticateTokenCounting).
    .where('t.token_hash', '=', hash as Buffer)
    .where('t.revoked_at', 'is', null);
}

type OwnerRow = Awaited<ReturnType<ReturnType<typeof ownerQuery>['executeTakeFirstOrThrow']>>;

/** The owner a found row names (null when its account is gone); notes the token's use, once a minute at most. */
async function toOwner(ctx: CoreContext, token: string, row: OwnerRow | undefined): Promise<TokenOwner | null> {
  // The digest found the row; comparing again in constant time costs nothing and keeps the rule simple.
  if (!row || !matchesDigest(token, row.token_hash)) return null;
  if (row.token_account_id !== null && row.account_id === null) return null; // the account is gone
  if (row.last_used_at === null || Date.now() - row.last_used_at.getTime() > TOUCH_AFTER_MS) {
    await ctx.db
      .updateTable('oauth_access_tokens')
      .set({ last_used_at: new Date() })
      .where('id', '=', row.token_id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
      .execute();
  }
  const account =
    row.account_id === null
      ? null
      : toAccount({
          id: row.account_id,
          username: row.account_username!,
          display_name: row.account_display_name!,
          note: row.account_note!,
          is_admin: row.account_is_admin!,
          locked: row.account_locked!,
          bot: row.account_bot!,
          discoverable: row.account_discoverable!,
          statuses_count: row.account_statuses_count!,
          followers_count: row.account_followers_count!,
          following_count: row.account_following_count!,
          last_status_at: row.account_last_status_at,
          created_at: row.account_created_at!,
          avatar_key: row.account_avatar_key ?? null,
          avatar_small_key: row.account_avatar_small_key ?? null,
          header_key: row.account_header_key ?? null,
        });
  return { tokenId: row.token_id, account, app: toOAuthApp(row), scopes: splitScopes(row.token_scopes) };
}

/** Who a bearer token speaks for, or `null` when it is unknown or revoked. */
export async function authenticateToken(ctx: CoreContext, token: string): Promise<TokenOwner | null> {
  if (!looksLikeSecret(token)) return null;
  return toOwner(ctx, token, await ownerQuery(ctx, digest(token)).executeTakeFirst());
}

/**
 * Who a bearer token speaks for, and — only when it is valid — one hit counted against `rule` for
 * `subject`, in ONE statement: the API does both on every call, and on a busy server the round trip is
 * what costs. `rate` is where the hit leaves the token (RateLimited, to throw, past the limit). Calls
 * with the same token while one is in flight go together in the next statement (rate-limits/hits.ts):
 * each is looked up after it arrived and counted in order, as if alone.
 */
export async function authenticateTokenCounting(
  ctx: CoreContext,
  token: string,
  rule: RateRule,
  subject: string,
): Promise<{ owner: TokenOwner; rate: RateState | RateLimited } | null> {
  if (!looksLikeSecret(token)) return null;
  const hash = digest(token);
  const key = rateKey(rule, subject);
  const share = await coalesced(ctx, `token:${key}:${hash.toString('hex')}`, async (n) => {
    // Every API call runs it: built and compiled once per window length (db/compiled-once.ts), run as
    // a prepared statement (db/prepared.ts).
    const statement = compiledOnce(`token-hit|${rule.windowSeconds}`, { hash, key, n }, (v) =>
      sql<OwnerRow & { hit_count: number | null; hit_expires_at: Date | null }>`
      WITH owner AS (${ownerQuery(ctx, v.hash)}),
      hit AS (${addHitsStatement(
        // Counted only for a token that authenticates: a deleted account's token counts per address.
        windowRow(v.key, rule.windowSeconds, v.n, sql`EXISTS (SELECT 1 FROM owner WHERE token_account_id IS NULL OR account_id IS NOT NULL)`),
      )})
      SELECT owner.*, hit.count AS hit_count, hit.expires_at AS hit_expires_at FROM owner LEFT JOIN hit ON true`.compile(ctx.db),
    );
    const rows = await executePrepared(ctx.db, statement);
    const row = rows[0];
    const owner = await toOwner(ctx, token, row);
    return { owner, count: row?.hit_count ?? 0, expires_at: row?.hit_expires_at ?? new Date() };
  });
  const { owner, expires_at } = share.result;
  if (!owner) return null;
  try {
    return { owner, rate: rateStateOf(rule, { count: countOf(share), expires_at }) };
  } catch (error) {
    if (error instanceof RateLimited) return { owner, rate: error };
    throw error;
  }
}
