import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { selectPosts, toBarePost, type Post, type PostRow } from './post-view.ts';
import type { Viewer } from './visibility.ts';

// A page of status rows → full views in a fixed number of queries, whatever the page size: the boosted
// posts (one query, visibility-checked for the same viewer), then mentions, tags and the viewer's own
// flags for every post of the page at once (one query for all three). Used by timelines, the post page, the
// thread and notifications alike, so the website and the API show the same thing.

/** Full views of `rows` in their order; a boost whose post the viewer may not see is left out. */
export async function hydratePosts(db: Kysely<Database>, viewer: Viewer, rows: readonly PostRow[]): Promise<Post[]> {
  if (rows.length === 0) return [];
  const reblogIds = [...new Set(rows.flatMap((r) => (r.reblog_of_id ? [r.reblog_of_id] : [])))];
  const reblogRows = reblogIds.length ? await selectPosts(db, viewer).where('s.id', 'in', reblogIds).where('s.reblog_of_id', 'is', null).execute() : [];
  const all = [...rows, ...reblogRows];
  const ids = [...new Set(all.map((r) => r.id))];
  const viewerId = viewer.kind === 'account' ? viewer.id : undefined;
  // Mentions, tags and the viewer's flags in ONE statement (one round trip, one pooled connection)
  // rather than three: on a busy server the round trips, not the lookups, are what a page costs.
  // `rank` orders mentions as stored (their row id); tags come by name.
  const list = sql.join(ids);
  const flags =
    viewerId === undefined
      ? sql``
      : sql`
        UNION ALL SELECT status_id::text, 'favourited', NULL, NULL, NULL FROM favourites WHERE account_id = ${viewerId} AND status_id IN (${list})
        UNION ALL SELECT status_id::text, 'bookmarked', NULL, NULL, NULL FROM bookmarks WHERE account_id = ${viewerId} AND status_id IN (${list})
        UNION ALL SELECT reblog_of_id::text, 'reblogged', NULL, NULL, NULL FROM statuses WHERE account_id = ${viewerId} AND reblog_of_id IN (${list})`;
  const { rows: extras } = await sql<{ status_id: string; kind: 'mention' | 'tag' | 'favourited' | 'bookmarked' | 'reblogged'; account_id: string | null; name: string | null }>`
    SELECT m.status_id::text AS status_id, 'mention' AS kind, ma.id::text AS account_id, ma.username AS name, m.id AS rank
      FROM mentions m JOIN accounts ma ON ma.id = m.account_id WHERE m.status_id IN (${list})
    UNION ALL SELECT st.status_id::text, 'tag', NULL, t.name, NULL
      FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id IN (${list})
    ${flags}
    ORDER BY rank, name`.execute(db);
  const visibleReblogs = new Set(reblogRows.map((r) => r.id));
  const views = new Map<string, Post>();
  for (const row of all) views.set(row.id, toBarePost(row));
  for (const extra of extras) {
    const view = views.get(extra.status_id);
    if (!view) continue;
    if (extra.kind === 'mention') view.mentions.push({ id: extra.account_id!, username: extra.name! });
    else if (extra.kind === 'tag') view.tags.push(extra.name!);
    else view[extra.kind] = true;
  }
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
