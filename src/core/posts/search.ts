import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { isId } from '../domain/ids.ts';
import { cleanText } from '../domain/text-input.ts';
import { hydratePosts } from './hydrate.ts';
import { pageBounds, type PageRequest } from './page.ts';
import { selectPosts, type Post } from './post-view.ts';
import { viewerOf } from './visibility.ts';

// Full-text search of posts as Mastodon offers it to people who did not opt into being indexed (no
// Pipit account has: `indexable` is false): among the posts a person has a part in — their own and
// those they favourited, bookmarked or were mentioned in — never the whole site, so nobody's posts
// become findable by strangers. PostgreSQL's full-text search with the 'simple' configuration (no
// stemming, so it works alike in every language): every word of the query must occur. The candidates
// are the viewer's own sets (each read by an index), so no index over every post's text is needed.

export interface PostSearchOptions extends PageRequest {
  /** Only posts by this account. */
  accountId?: string | undefined;
  offset?: number | undefined;
}

/** The longest query read; a longer one is cut (Mastodon's search box sends short ones). */
export const POST_SEARCH_MAX_QUERY = 500;
const MAX_OFFSET = 10_000;

/** Posts of `viewerId`'s own sets matching every word of `q`, newest first, as the viewer may see them. */
export async function searchPosts(ctx: CoreContext, viewerId: string, q: string, options: PostSearchOptions = {}): Promise<Post[]> {
  const bounds = pageBounds(options);
  const text = cleanText(String(q)).trim().slice(0, POST_SEARCH_MAX_QUERY);
  if (text === '' || (options.accountId !== undefined && !isId(options.accountId))) return [];
  const viewer = viewerOf(viewerId);
  const me = sql`${viewerId}::bigint`;
  let query = selectPosts(ctx.db, viewer)
    .where('s.reblog_of_id', 'is', null)
    .where(
      sql<boolean>`s.id IN (SELECT id FROM statuses WHERE account_id = ${me}
        UNION SELECT status_id FROM favourites WHERE account_id = ${me}
        UNION SELECT status_id FROM bookmarks WHERE account_id = ${me}
        UNION SELECT status_id FROM mentions WHERE account_id = ${me})`,
    )
    .where(sql<boolean>`to_tsvector('simple', s.spoiler_text || ' ' || s.text) @@ plainto_tsquery('simple', ${text})`);
  if (options.accountId !== undefined) query = query.where('s.account_id', '=', options.accountId);
  if (bounds.maxId) query = query.where('s.id', '<', bounds.maxId);
  if (bounds.sinceId) query = query.where('s.id', '>', bounds.sinceId);
  if (bounds.minId) query = query.where('s.id', '>', bounds.minId);
  const offset = Math.min(Math.max(Math.trunc(options.offset ?? 0) || 0, 0), MAX_OFFSET);
  // As the timelines page: `minId` asks for the matches just newer than it (read upward, then turned).
  const rows = await query
    .orderBy('s.id', bounds.minId ? 'asc' : 'desc')
    .limit(bounds.limit)
    .offset(offset)
    .execute();
  if (bounds.minId) rows.reverse();
  return hydratePosts(ctx.db, viewer, rows);
}
