import type { Kysely } from 'kysely';
import { ACCOUNT_COLUMNS, toAccount } from '../accounts/account-view.ts';
import type { Database } from '../db/schema.ts';
import type { AccountEntry } from '../follows/follows.ts';
import { hydratePosts } from '../posts/hydrate.ts';
import { DEFAULT_PAGE_SIZE, pageBounds, type PageRequest } from '../posts/page.ts';
import { selectPosts, type Post } from '../posts/post-view.ts';
import { visibleTo, viewerOf } from '../posts/visibility.ts';
import { findVisibleStatus } from '../posts/visible-status.ts';

// Lists made of interaction rows (favourites, bookmarks, boosts), paged by the row's own id, newest
// first, as Mastodon pages them. Not bound to the core: the use cases in this folder call them.

/** A post in a list paged by the row that put it there (`pageId`: the cursor for max_id/min_id). */
export interface PostEntry {
  pageId: string;
  post: Post;
}

/** The viewer's favourited or bookmarked posts that they may still see. */
export async function ownPostList(db: Kysely<Database>, table: 'favourites' | 'bookmarks', viewerId: string, page: PageRequest = {}): Promise<PostEntry[]> {
  const bounds = pageBounds(page);
  const viewer = viewerOf(viewerId);
  let query = selectPosts(db, viewer).innerJoin(`${table} as r`, 'r.status_id', 's.id').select('r.id as page_id').where('r.account_id', '=', viewerId);
  if (bounds.maxId) query = query.where('r.id', '<', bounds.maxId);
  if (bounds.sinceId) query = query.where('r.id', '>', bounds.sinceId);
  if (bounds.minId) query = query.where('r.id', '>', bounds.minId);
  const rows = await query.orderBy('r.id', bounds.minId ? 'asc' : 'desc').limit(bounds.limit).execute();
  if (bounds.minId) rows.reverse();
  const posts = await hydratePosts(db, viewer, rows);
  return rows.flatMap((r, i) => (posts[i] ? [{ pageId: r.page_id, post: posts[i] }] : []));
}

/** The most accounts a favourited_by or reblogged_by page holds (Mastodon's maximum). */
const MAX_ACCOUNTS_PAGE = 80;

/** Who favourited or boosted a post the viewer may see (NotFound otherwise), newest first. */
export async function postAccountList(db: Kysely<Database>, kind: 'favourites' | 'reblogs', viewerId: string | undefined, postId: string, page: PageRequest = {}): Promise<AccountEntry[]> {
  // Accounts come up to 80 a page, as Mastodon serves them (and as follows.ts pages followers).
  const bounds = pageBounds(page, { limit: DEFAULT_PAGE_SIZE, max: MAX_ACCOUNTS_PAGE });
  const viewer = viewerOf(viewerId);
  const post = await findVisibleStatus(db, viewer, postId);
  const accountColumns = ACCOUNT_COLUMNS.map((c) => `a.${c}` as const);
  let query =
    kind === 'favourites'
      ? db.selectFrom('favourites as r').innerJoin('accounts as a', 'a.id', 'r.account_id').select(['r.id as page_id', ...accountColumns]).where('r.status_id', '=', post.id)
      : // A boost is seen by the same rule as any post.
        db.selectFrom('statuses as r').innerJoin('accounts as a', 'a.id', 'r.account_id').select(['r.id as page_id', ...accountColumns]).where('r.reblog_of_id', '=', post.id).where(visibleTo(viewer, 'r'));
  if (bounds.maxId) query = query.where('r.id', '<', bounds.maxId);
  if (bounds.sinceId) query = query.where('r.id', '>', bounds.sinceId);
  if (bounds.minId) query = query.where('r.id', '>', bounds.minId);
  const rows = await query.orderBy('r.id', bounds.minId ? 'asc' : 'desc').limit(bounds.limit).execute();
  if (bounds.minId) rows.reverse();
  return rows.map((r) => ({ pageId: r.page_id, account: toAccount(r) }));
}
