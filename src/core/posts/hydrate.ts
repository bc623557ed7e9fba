import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { selectPosts, toBarePost, type Post, type PostRow } from './post-view.ts';
import type { Viewer } from './visibility.ts';
import { MEDIA_COLUMNS, toMediaAttachment } from '../media/media-view.ts';

// A page of status rows → full views in a fixed number of queries, whatever the page size: the boosted
// posts (one query, visibility-checked for the same viewer), then mentions, tags, media and the viewer's own
// flags for every post of the page at once (one query each). Used by timelines, the post page, the
// thread and notifications alike, so the website and the API show the same thing.

/** Full views of `rows` in their order; a boost whose post the viewer may not see is left out. */
export async function hydratePosts(db: Kysely<Database>, viewer: Viewer, rows: readonly PostRow[]): Promise<Post[]> {
  if (rows.length === 0) return [];
  const reblogIds = [...new Set(rows.flatMap((r) => (r.reblog_of_id ? [r.reblog_of_id] : [])))];
  const reblogRows = reblogIds.length ? await selectPosts(db, viewer).where('s.id', 'in', reblogIds).where('s.reblog_of_id', 'is', null).execute() : [];
  const all = [...rows, ...reblogRows];
  const ids = [...new Set(all.map((r) => r.id))];
  const viewerId = viewer.kind === 'account' ? viewer.id : undefined;
  const [mentions, tags, media, flags] = await Promise.all([
    db
      .selectFrom('mentions as m')
      .innerJoin('accounts as ma', 'ma.id', 'm.account_id')
      .select(['m.status_id', 'ma.id', 'ma.username'])
      .where('m.status_id', 'in', ids)
      .orderBy('m.id')
      .execute(),
    db
      .selectFrom('statuses_tags as st')
      .innerJoin('tags as t', 't.id', 'st.tag_id')
      .select(['st.status_id', 't.name'])
      .where('st.status_id', 'in', ids)
      .orderBy('t.name')
      .execute(),
    db.selectFrom('media_attachments').select(MEDIA_COLUMNS).where('status_id', 'in', ids).orderBy('status_id').orderBy('position').execute(),
    viewerId === undefined
      ? Promise.resolve([] as { status_id: string; flag: string }[])
      : sql<{ status_id: string; flag: string }>`
          SELECT status_id::text AS status_id, 'favourited' AS flag FROM favourites WHERE account_id = ${viewerId} AND status_id IN (${sql.join(ids)})
          UNION ALL
          SELECT status_id::text, 'bookmarked' FROM bookmarks WHERE account_id = ${viewerId} AND status_id IN (${sql.join(ids)})
          UNION ALL
          SELECT reblog_of_id::text, 'reblogged' FROM statuses WHERE account_id = ${viewerId} AND reblog_of_id IN (${sql.join(ids)})`
          .execute(db)
          .then((r) => r.rows),
  ]);
  const visibleReblogs = new Set(reblogRows.map((r) => r.id));
  const views = new Map<string, Post>();
  for (const row of all) views.set(row.id, toBarePost(row));
  for (const m of mentions) views.get(m.status_id)?.mentions.push({ id: m.id, username: m.username });
  for (const t of tags) views.get(t.status_id)?.tags.push(t.name);
  for (const m of media) views.get(m.status_id!)?.media.push(toMediaAttachment(m));
  for (const f of flags) {
    const view = views.get(f.status_id);
    if (view && (f.flag === 'favourited' || f.flag === 'bookmarked' || f.flag === 'reblogged')) view[f.flag] = true;
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
