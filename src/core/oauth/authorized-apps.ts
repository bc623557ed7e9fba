import type { CoreContext } from '../context.ts';
import { isId } from '../domain/ids.ts';
import { splitScopes } from '../domain/oauth-scopes.ts';

// The website's "Authorized apps" page: every app holding a live token for the account, and the way
// to cut one off. Revoking an app ends all its tokens for that account and every code not yet exchanged.

export interface AuthorizedApp {
  appId: string;
  name: string;
  website: string | null;
  /** Every scope its live tokens hold together. */
  scopes: string[];
  /** When it was first authorized (its oldest live token). */
  authorizedAt: Date;
  lastUsedAt: Date | null;
}

/** The apps holding live tokens for the account, most recently authorized first. */
export async function listAuthorizedApps(ctx: CoreContext, accountId: string): Promise<AuthorizedApp[]> {
  const rows = await ctx.db
    .selectFrom('oauth_access_tokens as t')
    .innerJoin('oauth_applications as app', 'app.id', 't.application_id')
    .select(['app.id', 'app.name', 'app.website'])
    .select((eb) => [
      eb.fn.min('t.created_at').as('authorized_at'),
      eb.fn.max('t.created_at').as('latest_at'),
      eb.fn.max('t.last_used_at').as('last_used_at'),
      eb.fn<string[]>('array_agg', ['t.scopes']).as('scopes'),
    ])
    .where('t.account_id', '=', accountId)
    .where('t.revoked_at', 'is', null)
    .groupBy(['app.id', 'app.name', 'app.website'])
    .orderBy('latest_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    appId: r.id,
    name: r.name,
    website: r.website,
    scopes: splitScopes(r.scopes),
    authorizedAt: new Date(r.authorized_at),
    lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
  }));
}

/**
 * Whether the account already holds a live token of the app for exactly these scopes: Mastodon then
 * skips the consent page (Doorkeeper's matching token), so logging in again on a device is one step.
 */
export async function hasMatchingAuthorization(ctx: CoreContext, accountId: string, appId: string, scopes: readonly string[]): Promise<boolean> {
  const rows = await ctx.db
    .selectFrom('oauth_access_tokens')
    .select('scopes')
    .distinct()
    .where('account_id', '=', accountId)
    .where('application_id', '=', appId)
    .where('revoked_at', 'is', null)
    .limit(100)
    .execute();
  const wanted = [...new Set(scopes)].sort().join(' ');
  return rows.some((r) => splitScopes(r.scopes).sort().join(' ') === wanted);
}

/** Revokes every token and pending code of the app for the account, at once; returns the tokens revoked. */
export async function revokeAuthorizedApp(ctx: CoreContext, accountId: string, appId: string): Promise<number> {
  if (!isId(appId)) return 0;
  const now = new Date();
  const revoked = await ctx.db
    .updateTable('oauth_access_tokens')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('application_id', '=', appId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  await ctx.db
    .updateTable('oauth_authorization_codes')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('application_id', '=', appId)
    .where('used_at', 'is', null)
    .execute();
  return Number(revoked.numUpdatedRows);
}
