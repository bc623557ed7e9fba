import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { normalizeTag, TAG_MAX } from '../domain/post-text.ts';
import { cleanText } from '../domain/text-input.ts';
import { pageBounds, type PageBounds, type PageRequest } from './page.ts';
import { authorOf, selectPostCards, selectPosts, selectProfileCards, type Post, type PostCard, type PostCardQuery, type PostQuery } from './post-view.ts';
import { hydratePostCards, hydratePosts } from './hydrate.ts';
import { executePrepared } from '../db/prepared.ts';
import { compiledOnce } from '../db/compiled-once.ts';
import { viewerOf, type Viewer } from './visibility.ts';
import { getAccountByUsername } from '../accounts/accounts.ts';
import { normalizeUsername } from '../domain/account-rules.ts';
import type { Account } from '../accounts/account-view.ts';

/** A page query's values by name (ids, a username, a tag); see readPage. */
type Values = Record<string, string>;

/** A page's query (selectPosts or selectPostCards, with conditions; without bounds, order and limit). */
type PageQuery = Pick<PostQuery | PostCardQuery, 'execute'>;

/** Builds a page's query from its values and the viewer. */
type BuildPage<Q extends PageQuery = PostQuery> = (values: Values, viewer: Viewer) => Q;

type RowOf<Q extends PageQuery> = Awaited<ReturnType<Q['execute']>>[number];

/**
 * Applies exclusive id bounds, newest first (`minId` reads upward, then reverses), and returns the
 * page's rows. A query of a fixed shape — named by `shape`, which with the viewer's kind, the bounds
 * present and the limit must say everything `build` branches on — is built and compiled once
 * (db/compiled-once.ts) and runs as a prepared statement (db/prepared.ts); `build` then sees markers
 * in place of `values` and the viewer's id. `shape` undefined for a query whose shape varies with its
 * input (several tags: one shape per count): built from the real values each call, not prepared.
 */
async function readRows<Q extends PageQuery>(ctx: CoreContext, viewer: Viewer, b: PageBounds, shape: string | undefined, values: Values, build: BuildPage<Q>): Promise<RowOf<Q>[]> {
  const all: Values = { ...values };
  if (viewer.kind === 'account') all.viewer = viewer.id;
  if (b.maxId) all.maxId = b.maxId;
  if (b.sinceId) all.sinceId = b.sinceId;
  if (b.minId) all.minId = b.minId;
  const buildPage = (v: Values) => {
    // Every page query reads `statuses as s` (selectPosts, selectPostCards), so the bounds apply alike
    // (the cast is for the type checker, which cannot call a method on a union of builders).
    let q = build(v, viewer.kind === 'account' ? { kind: 'account', id: v.viewer! } : viewer) as unknown as PostQuery;
    if (b.maxId) q = q.where('s.id', '<', v.maxId!);
    if (b.sinceId) q = q.where('s.id', '>', v.sinceId!);
    if (b.minId) q = q.where('s.id', '>', v.minId!);
    // The limit as a literal (a clamped integer, 1…40): with a parameter there PostgreSQL's generic plan
    // assumes a large share of the table is read, looks worse than every custom one, and a prepared
    // statement would be planned on every call anyway.
    return q.orderBy('s.id', b.minId ? 'asc' : 'desc').limit(sql.lit(b.limit));
  };
  const key = `${shape}|${viewer.kind}|${b.maxId ? 'max' : ''},${b.sinceId ? 'since' : ''},${b.minId ? 'min' : ''}|${b.limit}`;
  const rows = shape === undefined ? await buildPage(all).execute() : await executePrepared(ctx.db, compiledOnce(key, all, buildPage));
  if (b.minId) rows.reverse();
  return rows as RowOf<Q>[];
}

/** readRows, hydrated (hydrate.ts): full Posts, boosts with their posts. */
async function readPage(ctx: CoreContext, viewer: Viewer, b: PageBounds, shape: string | undefined, values: Values, build: BuildPage): Promise<Post[]> {
  return hydratePosts(ctx.db, viewer, await readRows(ctx, viewer, b, shape, values, build));
}

/** A tag as typed in an address or a parameter, normalised; undefined when no stored tag could match. */
function tagName(tag: string): string | undefined {
  // The tag comes from the address: a NUL (`/tags/a%00b`) made PostgreSQL fail the query, a 500.
  const name = normalizeTag(cleanText(tag).replace(/^#/, ''));
  // No stored tag is longer (post-text.ts); cutting it instead would show another tag's posts.
  return name.length === 0 || [...name].length > TAG_MAX ? undefined : name;
}

export interface TimelineOptions extends PageRequest {
  /** Posts with attachments only (boosts carry none of their own). */
  onlyMedia?: boolean | undefined;
}

// A literal, not a parameter: a prepared statement's generic plan then knows it matches the partial
// index statuses_public_id_idx.
const PUBLIC = sql.lit<'public'>('public');

/** The post has an attachment (attachments are ready by the time a post takes them). */
const hasMedia = sql<boolean>`EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = s.id)`;

// The timelines are async so that bad paging input rejects the promise rather than throwing synchronously.
/** Public posts by everyone, newest first (no boosts), with the viewer's flags when logged in. */
export async function publicTimeline(ctx: CoreContext, page?: TimelineOptions, viewerId?: string): Promise<Post[]> {
  const bounds = pageBounds(page);
  const viewer = viewerOf(viewerId);
  const onlyMedia = Boolean(page?.onlyMedia);
  return readPage(ctx, viewer, bounds, `public|${onlyMedia}`, {}, (_, v) => {
    const query = selectPosts(ctx.db, v).where('s.visibility', '=', PUBLIC).where('s.reblog_of_id', 'is', null);
    return onlyMedia ? query.where(hasMedia) : query;
  });
}

/**
 * The public timeline as the website lists it: the same posts as publicTimeline, as PostCards (what a
 * card shows, read with half the columns: see selectPostCards).
 */
export async function publicTimelineCards(ctx: CoreContext, page?: PageRequest, viewerId?: string): Promise<PostCard[]> {
  const bounds = pageBounds(page);
  const viewer = viewerOf(viewerId);
  const rows = await readRows(ctx, viewer, bounds, 'public-cards', {}, (_, v) =>
    selectPostCards(ctx.db, v).where('s.visibility', '=', PUBLIC).where('s.reblog_of_id', 'is', null),
  );
  return hydratePostCards(ctx.db, viewer, rows);
}

/**
 * The home timeline: the viewer's own posts and boosts and those of the accounts they follow (boosts
 * only where the follow shows them), each as the visibility rule lets the viewer see it, newest first.
 */
export async function homeTimeline(ctx: CoreContext, viewerId: string, page?: PageRequest): Promise<Post[]> {
  const bounds = pageBounds(page);
  const viewer = viewerOf(viewerId);
  // Uncorrelated subqueries (hashed once per query) rather than EXISTS per row: under the OR, PostgreSQL
  // cannot turn a correlated EXISTS into a join and would probe follows for every status it walks.
  return readPage(ctx, viewer, bounds, 'home', {}, (values, v) => {
    const me = sql`${values.viewer}::bigint`;
    return selectPosts(ctx.db, v).where(
      sql<boolean>`(s.account_id = ${me} OR (
        s.account_id IN (SELECT target_account_id FROM follows WHERE account_id = ${me})
        AND (s.reblog_of_id IS NULL OR s.account_id NOT IN (SELECT target_account_id FROM follows WHERE account_id = ${me} AND NOT show_reblogs))))`,
    );
  });
}

export interface AccountStatusesOptions extends TimelineOptions {
  /** Leave out replies to others (a reply to oneself, a thread, stays). */
  excludeReplies?: boolean | undefined;
  excludeReblogs?: boolean | undefined;
  /** Pinned posts only: there is no pinning yet, so the answer is empty. */
  pinned?: boolean | undefined;
  /** Only posts carrying this hashtag. */
  tagged?: string | undefined;
}

/** An account's posts and boosts as the viewer may see them, newest first; NotFound for an unknown account. */
export async function accountStatuses(ctx: CoreContext, viewerId: string | undefined, accountId: string, options: AccountStatusesOptions = {}): Promise<Post[]> {
  const bounds = pageBounds(options);
  if (!isId(accountId)) throw new NotFound('No such account.');
  const viewer = viewerOf(viewerId);
  let posts: Post[] = [];
  const tag = options.tagged === undefined ? undefined : tagName(options.tagged);
  const impossible = options.pinned || (options.tagged !== undefined && tag === undefined);
  if (!impossible) {
    const { excludeReblogs, onlyMedia, excludeReplies } = { excludeReblogs: Boolean(options.excludeReblogs), onlyMedia: Boolean(options.onlyMedia), excludeReplies: Boolean(options.excludeReplies) };
    const shape = `statuses|${excludeReblogs},${onlyMedia},${excludeReplies},${tag !== undefined}`;
    const values: Values = tag === undefined ? { account: accountId } : { account: accountId, tag };
    posts = await readPage(ctx, viewer, bounds, shape, values, (v, who) => {
      let query = selectPosts(ctx.db, who).where('s.account_id', '=', v.account!);
      if (excludeReblogs) query = query.where('s.reblog_of_id', 'is', null);
      if (onlyMedia) query = query.where(hasMedia);
      if (excludeReplies) query = query.where((eb) => eb.or([eb('s.in_reply_to_id', 'is', null), eb('s.in_reply_to_account_id', '=', v.account!)]));
      if (tag !== undefined) {
        query = query.where((eb) =>
          eb.exists(
            eb.selectFrom('statuses_tags as st').innerJoin('tags as t', 't.id', 'st.tag_id').select('st.status_id').whereRef('st.status_id', '=', 's.id').where('t.name', '=', v.tag!),
          ),
        );
      }
      return query;
    });
  }
  if (posts.length === 0) {
    const exists = await ctx.db.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    if (!exists) throw new NotFound('No such account.');
  }
  return posts;
}

/** An account's own posts (no boosts) as the viewer may see them (kept for the website's callers). */
export async function accountTimeline(ctx: CoreContext, accountId: string, viewerId: string | undefined, page?: PageRequest): Promise<Post[]> {
  return accountStatuses(ctx, viewerId, accountId, { ...page, excludeReblogs: true });
}

export interface ProfileOptions extends TimelineOptions {
  /** Their boosts too, as the profile page lists them (default: their own posts only). */
  reblogs?: boolean | undefined;
}

/**
 * A profile page: the account and a page of its posts as cards (with `reblogs`, its boosts too; with
 * `onlyMedia`, its media tab), as the viewer may see them; NotFound for an unknown username.
 */
export async function profile(
  ctx: CoreContext,
  username: string,
  viewerId: string | undefined,
  page?: ProfileOptions,
): Promise<{ account: Account; posts: PostCard[] }> {
  // One round trip in the common case: every row carries the account (a boost's row is the booster's,
  // so every row here is this account's), which is looked up on its own only when there are no rows.
  // The subquery (rather than a join on username) lets PostgreSQL walk the (account_id, id) index and
  // stop after one page.
  const bounds = pageBounds(page);
  const viewer = viewerOf(viewerId);
  const reblogs = Boolean(page?.reblogs);
  const onlyMedia = Boolean(page?.onlyMedia);
  const rows = await readRows(ctx, viewer, bounds, `profile|${reblogs},${onlyMedia}`, { username: normalizeUsername(username) }, (v, who) => {
    let query = selectProfileCards(ctx.db, who).where('s.account_id', '=', (eb) => eb.selectFrom('accounts').select('id').where('username', '=', v.username!));
    if (!reblogs) query = query.where('s.reblog_of_id', 'is', null);
    // A boost carries no attachments of its own, so the media tab lists none (as accountStatuses).
    if (onlyMedia) query = query.where(hasMedia);
    return query;
  });
  const account = rows[0] ? authorOf(rows[0]) : await getAccountByUsername(ctx, username);
  return { account, posts: await hydratePostCards(ctx.db, viewer, rows) };
}

export interface TagTimelineOptions extends TimelineOptions {
  /** Posts with the tag or any of these. */
  any?: readonly string[] | undefined;
  /** Posts that also carry every one of these. */
  all?: readonly string[] | undefined;
  /** Posts that carry none of these. */
  none?: readonly string[] | undefined;
}

/** Tags as typed, normalised; those no stored tag could match are left out. */
function tagNames(tags: readonly string[] | undefined): string[] {
  return (tags ?? []).flatMap((t) => tagName(t) ?? []);
}

/** Public posts carrying a hashtag (or any of `any`, with all of `all`, none of `none`), newest first. */
export async function tagTimeline(ctx: CoreContext, tag: string, page?: TagTimelineOptions, viewerId?: string): Promise<Post[]> {
  const bounds = pageBounds(page);
  const name = tagName(tag);
  if (name === undefined) return [];
  const anyNames = [...new Set([name, ...tagNames(page?.any)])];
  const allNames = tagNames(page?.all);
  const noneNames = tagNames(page?.none);
  // A required tag that cannot exist matches nothing.
  if (allNames.length !== (page?.all ?? []).length) return [];
  const viewer = viewerOf(viewerId);
  const withTag = (names: readonly string[]) =>
    sql<boolean>`EXISTS (SELECT 1 FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id = s.id AND t.name IN (${sql.join(names)}))`;
  const onlyMedia = Boolean(page?.onlyMedia);
  // One tag (the common case, and the website's): a join that walks that tag's rows; several: EXISTS,
  // so a post with two of them is listed once.
  const build: BuildPage = (v, who) => {
    let query =
      anyNames.length === 1
        ? selectPosts(ctx.db, who)
            .innerJoin('statuses_tags as st', 'st.status_id', 's.id')
            .innerJoin('tags as t', 't.id', 'st.tag_id')
            .where('t.name', '=', v.tag!)
            .where('s.visibility', '=', PUBLIC)
        : selectPosts(ctx.db, who).where('s.visibility', '=', PUBLIC).where(withTag(anyNames));
    for (const required of allNames) query = query.where(withTag([required]));
    if (noneNames.length > 0) query = query.where(sql<boolean>`NOT ${withTag(noneNames)}`);
    if (onlyMedia) query = query.where(hasMedia);
    return query as PostQuery;
  };
  // Several tags make a shape per count of each: not prepared (their names would crowd out the rest).
  const fixedShape = anyNames.length === 1 && allNames.length === 0 && noneNames.length === 0;
  return readPage(ctx, viewer, bounds, fixedShape ? `tag|${onlyMedia}` : undefined, { tag: name }, build);
}
