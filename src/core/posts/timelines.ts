import type { CoreContext } from '../context.ts';
import { normalizeTag, TAG_MAX } from '../domain/post-text.ts';
import { cleanText } from '../domain/text-input.ts';
import { pageBounds, type PageBounds, type PageRequest } from './page.ts';
import { selectPosts, toPost, type Post } from './post-view.ts';
import { getAccountByUsername } from '../accounts/accounts.ts';
import { normalizeUsername } from '../domain/account-rules.ts';
import type { Account } from '../accounts/account-view.ts';

type PostQuery = ReturnType<typeof selectPosts>;

/** Applies exclusive id bounds and returns newest-first; `minId` reads upward, then reverses. */
async function readPage(query: PostQuery, b: PageBounds): Promise<Post[]> {
  let q = query;
  if (b.maxId) q = q.where('s.id', '<', b.maxId);
  if (b.sinceId) q = q.where('s.id', '>', b.sinceId);
  if (b.minId) q = q.where('s.id', '>', b.minId);
  const rows = await q
    .orderBy('s.id', b.minId ? 'asc' : 'desc')
    .limit(b.limit)
    .execute();
  if (b.minId) rows.reverse();
  return rows.map(toPost);
}

// The timelines are async so that bad paging input rejects the promise rather than throwing synchronously.
/** Public posts by everyone, newest first (the home page and the public timeline). */
export async function publicTimeline(ctx: CoreContext, page?: PageRequest): Promise<Post[]> {
  const query = selectPosts(ctx.db).where('s.visibility', '=', 'public').where('s.reblog_of_id', 'is', null);
  return readPage(query, pageBounds(page));
}

/**
 * An account's posts as the viewer may see them: public and unlisted for everyone, all for the author.
 */
export async function accountTimeline(
  ctx: CoreContext,
  accountId: string,
  viewerId: string | undefined,
  page?: PageRequest,
): Promise<Post[]> {
  let query = selectPosts(ctx.db).where('s.account_id', '=', accountId).where('s.reblog_of_id', 'is', null);
  if (viewerId !== accountId) query = query.where('s.visibility', 'in', ['public', 'unlisted']);
  return readPage(query, pageBounds(page));
}

/** A profile: the account and its first page of posts (the page at `/@username`). */
export async function profile(
  ctx: CoreContext,
  username: string,
  viewerId: string | undefined,
  page?: PageRequest,
): Promise<{ account: Account; posts: Post[] }> {
  // One round trip in the common case: the posts carry their author, so the account is looked up on
  // its own only when there are no posts to show. The subquery (rather than a join on username) lets
  // PostgreSQL walk the (account_id, id) index and stop after one page.
  const bounds = pageBounds(page);
  let query = selectPosts(ctx.db)
    .where('s.account_id', '=', (eb) => eb.selectFrom('accounts').select('id').where('username', '=', normalizeUsername(username)))
    .where('s.reblog_of_id', 'is', null);
  query = query.where((eb) =>
    viewerId === undefined
      ? eb('s.visibility', 'in', ['public', 'unlisted'])
      : eb.or([eb('s.visibility', 'in', ['public', 'unlisted']), eb('s.account_id', '=', viewerId)]),
  );
  const posts = await readPage(query, bounds);
  const account = posts[0]?.account ?? (await getAccountByUsername(ctx, username));
  return { account, posts };
}

/** Public posts carrying a hashtag, newest first. */
export async function tagTimeline(ctx: CoreContext, tag: string, page?: PageRequest): Promise<Post[]> {
  // The tag comes from the address: a NUL (`/tags/a%00b`) made PostgreSQL fail the query, a 500.
  const name = normalizeTag(cleanText(tag).replace(/^#/, ''));
  // No stored tag is longer (post-text.ts); cutting it instead would show another tag's posts.
  if ([...name].length > TAG_MAX) return [];
  const query = selectPosts(ctx.db)
    .innerJoin('statuses_tags as st', 'st.status_id', 's.id')
    .innerJoin('tags as t', 't.id', 'st.tag_id')
    .where('t.name', '=', name)
    .where('s.visibility', '=', 'public');
  return readPage(query, pageBounds(page));
}
