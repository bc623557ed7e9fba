import type { CoreContext } from '../context.ts';
import { constraintViolation } from '../db/errors.ts';
import { visiblePost } from '../posts/hydrate.ts';
import type { PageRequest } from '../posts/page.ts';
import type { Post } from '../posts/post-view.ts';
import { viewerOf } from '../posts/visibility.ts';
import { findVisibleStatus, resolveBoost } from '../posts/visible-status.ts';
import { ownPostList, type PostEntry } from './post-entries.ts';

/** Bookmarks a post the actor may see (idempotent). Returns the post. */
export async function bookmark(ctx: CoreContext, actorId: string, postId: string): Promise<Post> {
  const viewer = viewerOf(actorId);
  const id = await resolveBoost(ctx.db, viewer, postId);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await findVisibleStatus(trx, viewer, id, { lock: 'keyShare' });
      await trx
        .insertInto('bookmarks')
        .values({ account_id: actorId, status_id: id })
        .onConflict((oc) => oc.columns(['account_id', 'status_id']).doNothing())
        .execute();
    });
  } catch (error) {
    throw constraintViolation(error, 'No such post.') ?? error;
  }
  return visiblePost(ctx.db, id, viewer);
}

/** Removes a bookmark (idempotent); NotFound for a post the actor may not see. Returns the post. */
export async function unbookmark(ctx: CoreContext, actorId: string, postId: string): Promise<Post> {
  const viewer = viewerOf(actorId);
  const id = await resolveBoost(ctx.db, viewer, postId);
  await findVisibleStatus(ctx.db, viewer, id);
  await ctx.db.deleteFrom('bookmarks').where('account_id', '=', actorId).where('status_id', '=', id).execute();
  return visiblePost(ctx.db, id, viewer);
}

/** The viewer's bookmarks they may still see, newest bookmark first, paged by the bookmark's id. */
export async function bookmarksOf(ctx: CoreContext, viewerId: string, page?: PageRequest): Promise<PostEntry[]> {
  return ownPostList(ctx.db, 'bookmarks', viewerId, page);
}
