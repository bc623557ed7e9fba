import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';

// THE rule of who may see a post, as one SQL predicate (Mastodon's): public and unlisted → everyone;
// private → the author, followers and the mentioned; direct → the author and the mentioned. The pure
// `canSee` (domain/visibility.ts) is its specification; a test holds the two together on both databases.

/** Who is looking: a logged-out visitor, an account, or the system itself (workers, the terminal). */
export type Viewer = { readonly kind: 'anonymous' } | { readonly kind: 'account'; readonly id: string } | { readonly kind: 'system' };

export const ANONYMOUS: Viewer = Object.freeze({ kind: 'anonymous' });
/** The explicit escape: every post, whoever may see it (only for work no person reads). */
export const SYSTEM: Viewer = Object.freeze({ kind: 'system' });

/** The viewer for an optional account id: an account when logged in, anonymous otherwise. */
export function viewerOf(accountId: string | undefined | null): Viewer {
  return accountId ? { kind: 'account', id: accountId } : ANONYMOUS;
}

/** The viewer's account id, if it is an account. */
export function viewerId(viewer: Viewer): string | undefined {
  return viewer.kind === 'account' ? viewer.id : undefined;
}

/**
 * The predicate "the account `accountId` may see the post `alias`": for a fixed viewer (`visibleTo`) or one
 * per row (an email's recipient column). `alias` is the statuses alias of the query.
 */
export function visibleToAccountExpr(accountId: Expression<string> | RawBuilder<string> | string, alias = 's'): RawBuilder<SqlBool> {
  const s = (column: string) => sql.ref(`${alias}.${column}`);
  const viewer = typeof accountId === 'string' ? sql`${accountId}::bigint` : accountId;
  return sql<SqlBool>`(${s('visibility')} IN ('public', 'unlisted')
    OR ${s('account_id')} = ${viewer}
    OR EXISTS (SELECT 1 FROM mentions vm WHERE vm.status_id = ${s('id')} AND vm.account_id = ${viewer})
    OR (${s('visibility')} = 'private'
        AND EXISTS (SELECT 1 FROM follows vf WHERE vf.account_id = ${viewer} AND vf.target_account_id = ${s('account_id')})))`;
}

/** The predicate "`viewer` may see the post `alias`" (statuses alias of the query, `s` by default). */
export function visibleTo(viewer: Viewer, alias = 's'): RawBuilder<SqlBool> {
  switch (viewer.kind) {
    case 'system':
      return sql<SqlBool>`true`;
    case 'anonymous':
      return sql<SqlBool>`${sql.ref(`${alias}.visibility`)} IN ('public', 'unlisted')`;
    case 'account':
      return visibleToAccountExpr(viewer.id, alias);
  }
}
