import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { selectPosts, toBarePost, type Post, type PostRow } from './post-view.ts';
import type { Viewer } from './visibility.ts';
import type { Account } from '../accounts/account-view.ts';

// A page of status rows → full views in a fixed number of queries, whatever the page size: the rows
// carry their mentions, tags, attachments and the viewer's flags (selectPosts); the boosted posts come in one more
// query, visibility-checked for the same viewer, only when the page holds boosts. Used by timelines,
// the post page, the thread and notifications alike, so the website and the API show the same thing.

/** Full views of `rows` in their order; a boost whose post the viewer may not see is left out. */
export async function hydratePosts(db: Kysely<Database>, viewer: Viewer, rows: readonly PostRow[]): Promise<Post[]> {
  if (rows.length === 0) return [];
  const reblogIds = [...new Set(rows.flatMap((r) => (r.reblog_of_id ? [r.reblog_of_id] : [])))];
  const reblogRows = reblogIds.length ? await selectPosts(db, viewer).where('s.id', 'in', reblogIds).where('s.reblog_of_id', 'is', null).execute() : [];
  const visibleReblogs = new Set(reblogRows.map((r) => r.id));
  const views = new Map<string, Post>();
  // One Account object per author and statement (toBarePost): the two statements may differ in an
  // author's counts, so each keeps its own.
  const authors = new Map<string, Account>();
  for (const row of rows) views.set(row.id, toBarePost(row, authors));
  const reblogAuthors = new Map<string, Account>();
  for (const row of reblogRows) views.set(row.id, toBarePost(row, reblogAuthors));
  return rows.flatMap((row) => {
    const view = views.get(row.id)!;
    if (row.reblog_of_id) {
      const reblog = visibleReblogs.has(row.reblog_of_id) ? views.get(row.reblog_of_id)! : undefined;
      if (!reblog) return [];
      return [{ ...view, reblog }];
    }
    return [view];
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
