import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { normalizeUsername, USERNAME_PATTERN } from '../domain/account-rules.ts';
import { NotFound } from '../domain/errors.ts';
import { cleanText } from '../domain/text-input.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from './account-view.ts';

// Finding accounts by what people type: `user`, `@user`, `user@thishost` (Elk's full handles), and the
// start of a username or display name (@-mention autocomplete). Handles of other hosts find nothing:
// Pipit does not federate, so there is nothing to resolve.

export interface AccountSearch {
  q: string;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Only accounts the viewer follows. */
  following?: boolean | undefined;
}

export const MAX_QUERY_LENGTH = 100;
export const MAX_SEARCH_OFFSET = 10_000;

/**
 * The username a handle names on this site (`user`, `@user`, `user@host`, `@user@host` with this
 * site's host), or undefined when it names another site or is no handle at all.
 */
function localUsernameOf(handle: string, localHost: string): string | undefined {
  const text = cleanText(handle).trim().replace(/^@/, '');
  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  if (at !== -1 && text.slice(at + 1).toLowerCase() !== localHost.toLowerCase()) return undefined;
  const username = normalizeUsername(name);
  return USERNAME_PATTERN.test(username) ? username : undefined;
}

/** The account a handle names (`user`, `@user`, `user@thishost`); NotFound for another host or nobody. */
export async function lookupAccount(ctx: CoreContext, handle: string): Promise<Account> {
  const username = localUsernameOf(String(handle).slice(0, MAX_QUERY_LENGTH + 300), ctx.localHost);
  if (!username) throw new NotFound('No such account.');
  const row = await ctx.db.selectFrom('accounts').select(ACCOUNT_COLUMNS).where('username', '=', username).executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return toAccount(row);
}

function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Accounts whose username or display name starts with the query (case-insensitive), the exact
 * username first, then the most followed. An account that asked not to be discoverable is found
 * only by its exact username. `viewerId` is needed for `following`.
 */
export async function searchAccounts(ctx: CoreContext, viewerId: string | undefined, search: AccountSearch): Promise<Account[]> {
  const raw = cleanText(String(search.q)).trim().slice(0, MAX_QUERY_LENGTH + 300);
  const limit = Math.min(Math.max(Math.trunc(search.limit ?? 40) || 40, 1), 80);
  const offset = Math.min(Math.max(Math.trunc(search.offset ?? 0) || 0, 0), MAX_SEARCH_OFFSET);
  let text = raw.replace(/^@/, '');
  if (text.includes('@')) {
    // A full handle: this site's finds that account (by prefix, for autocomplete); another site's, nothing.
    const username = localUsernameOf(text, ctx.localHost);
    if (!username) return [];
    text = username;
  }
  text = text.toLowerCase().slice(0, MAX_QUERY_LENGTH);
  if (text === '') return [];
  if (search.following && !viewerId) return [];
  const prefix = likePrefix(text);
  let query = ctx.db
    .selectFrom('accounts as a')
    .select(ACCOUNT_COLUMNS.map((c) => `a.${c}` as const))
    .where((eb) =>
      eb.or([
        eb('a.username', '=', text),
        eb.and([eb('a.discoverable', '=', true), eb.or([eb('a.username', 'like', prefix), eb(eb.fn('lower', ['a.display_name']), 'like', prefix)])]),
      ]),
    );
  if (search.following && viewerId) {
    query = query.where((eb) => eb.exists(eb.selectFrom('follows as f').select(sql`1`.as('one')).where('f.account_id', '=', viewerId).whereRef('f.target_account_id', '=', 'a.id')));
  }
  const rows = await query
    .orderBy(sql`a.username = ${text}`, 'desc')
    .orderBy('a.followers_count', 'desc')
    .orderBy('a.username')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(toAccount);
}
