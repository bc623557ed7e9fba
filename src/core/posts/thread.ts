import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { selectPosts, type Post } from './post-view.ts';
import { hydratePosts, visiblePost } from './hydrate.ts';
import { viewerOf } from './visibility.ts';

// Bounds on a thread's walk, so a very long or very wide conversation costs a bounded query.
const MAX_ANCESTORS = 40;
const MAX_DEPTH = 100;
const MAX_DESCENDANTS = 4096;

export interface ThreadContext {
  /** The posts it replies to, up the chain, oldest first. */
  ancestors: Post[];
  /** The replies to it and to them, oldest first. */
  descendants: Post[];
}

/** A post's thread as the viewer may see it (NotFound when the post itself is not visible to them). */
export async function postContext(ctx: CoreContext, viewerId: string | undefined, postId: string): Promise<ThreadContext> {
  const viewer = viewerOf(viewerId);
  const post = await visiblePost(ctx.db, postId, viewer);
  // Both walks in one statement over the reply links alone; visibility is then checked post by post,
  // by the same rule as everywhere, in the select that loads them.
  const { rows: links } = await sql<{ id: string; up: boolean }>`
    WITH RECURSIVE up(id, parent, depth) AS (
      SELECT id, in_reply_to_id, 0 FROM statuses WHERE id = ${post.id}
      UNION ALL
      SELECT s.id, s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.parent WHERE up.depth < ${MAX_ANCESTORS}
    ), down(id, depth) AS (
      SELECT id, 1 FROM statuses WHERE in_reply_to_id = ${post.id}
      UNION ALL
      SELECT s.id, down.depth + 1 FROM statuses s JOIN down ON s.in_reply_to_id = down.id WHERE down.depth < ${MAX_DEPTH}
    )
    (SELECT id::text AS id, true AS up FROM up WHERE depth > 0)
    UNION ALL
    (SELECT id::text, false FROM down ORDER BY id LIMIT ${MAX_DESCENDANTS})`.execute(ctx.db);
  if (links.length === 0) return { ancestors: [], descendants: [] };
  const rows = await selectPosts(ctx.db, viewer)
    .where('s.id', 'in', links.map((l) => l.id))
    .where('s.reblog_of_id', 'is', null)
    .orderBy('s.id', 'asc')
    .execute();
  const posts = await hydratePosts(ctx.db, viewer, rows);
  const ancestorIds = new Set(links.filter((l) => l.up).map((l) => l.id));
  return { ancestors: posts.filter((p) => ancestorIds.has(p.id)), descendants: posts.filter((p) => !ancestorIds.has(p.id)) };
}
