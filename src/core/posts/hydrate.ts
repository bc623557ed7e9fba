import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { selectPostCards, selectPosts, toBarePost, toPostCard, type Post, type PostCard, type PostCardRow, type PostRow } from './post-view.ts';
import type { Viewer } from './visibility.ts';

// A page of status rows → full views in a fixed number of queries, whatever the page size: the rows
// carry their mentions, tags, attachments and the viewer's flags (selectPosts); the boosted posts come in one more
// query, visibility-checked for the same viewer, only when the page holds boosts. Used by timelines,
// the post page, the thread and notifications alike, so the website and the API show the same thing.

/** Full views of `rows` in their order; a boost whose post the viewer may not see is left out. */
export async function hydratePosts(db: Kysely<Database>, viewer: Viewer, rows: readonly PostRow[]): Promise<Post[]> {
  return withBoostedPosts(rows, (ids) => selectPosts(db, viewer).where('s.id', 'in', ids).where('s.reblog_of_id', 'is', null).execute(), toBarePost);
}

/** The same for the website's lists of post cards (post-view.ts selectPostCards). */
export async function hydratePostCards(db: Kysely<Database>, viewer: Viewer, rows: readonly PostCardRow[]): Promise<PostCard[]> {
  return withBoostedPosts(rows, (ids) => selectPostCards(db, viewer).where('s.id', 'in', ids).where('s.reblog_of_id', 'is', null).execute(), toPostCard);
}

/** Views of `rows` made by `view`, each boost with its post (read by `readBoosted`, visible ones only) inside. */
async function withBoostedPosts<R extends { id: string; account_id: string; reblog_of_id: string | null }, V extends { reblog: V | null }, A>(
  rows: readonly R[],
  readBoosted: (ids: string[]) => Promise<R[]>,
  view: (row: R, authors: Map<string, A>) => V,
): Promise<V[]> {
  if (rows.length === 0) return [];
  const reblogIds = [...new Set(rows.flatMap((r) => (r.reblog_of_id ? [r.reblog_of_id] : [])))];
  const reblogRows = reblogIds.length ? await readBoosted(reblogIds) : [];
  const visibleReblogs = new Set(reblogRows.map((r) => r.id));
  const views = new Map<string, V>();
  // One author object per author and statement (toBarePost): the two statements may differ in an
  // author's counts, so each keeps its own.
  const authors = new Map<string, A>();
  for (const row of rows) views.set(row.id, view(row, authors));
  const reblogAuthors = new Map<string, A>();
  for (const row of reblogRows) views.set(row.id, view(row, reblogAuthors));
  return rows.flatMap((row) => {
    const v = views.get(row.id)!;
    if (row.reblog_of_id) {
      const reblog = visibleReblogs.has(row.reblog_of_id) ? views.get(row.reblog_of_id)! : undefined;
      if (!reblog) return [];
      return [{ ...v, reblog }];
    }
    return [v];
  });
}

/**
 * One post hydrated for `viewer` (a boost too, with its post inside, when `boosts` is true); NotFound when
 * missing or not visible to them — a boost also when its post is not.
 */
export async function visiblePost(db: Kysely<Database>, id: string, viewer: Viewer, options: { boosts?: boolean } = {}): Promise<Post> {
  if (!isId(id)) throw new NotFound('No such post.');
  let query = selectPosts(db, viewer).where('s.id', '=', id);
  if (!options.boosts) query = query.where('s.reblog_of_id', 'is', null);
  const rows = await query.execute();
  const [post] = await hydratePosts(db, viewer, rows);
  // Invisible looks the same as missing, so ids cannot be probed.
  if (!post) throw new NotFound('No such post.');
  return post;
}
