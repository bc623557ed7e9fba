import type { CoreContext } from '../context.ts';
import { constraintViolation } from '../db/errors.ts';
import { transactionWithRetry } from '../db/retry.ts';
import type { AccountEntry } from '../follows/follows.ts';
import { visiblePost } from '../posts/hydrate.ts';
import type { PageRequest } from '../posts/page.ts';
import type { Post } from '../posts/post-view.ts';
import { viewerOf } from '../posts/visibility.ts';
import { findVisibleStatus, resolveBoost } from '../posts/visible-status.ts';
import { ownPostList, postAccountList, type PostEntry } from './post-entries.ts';

/** Favourites a post the actor may see (a boost's id favourites the boosted post); idempotent. Returns the post. */
export async function favourite(ctx: CoreContext, actorId: string, postId: string): Promise<Post> {
  const viewer = viewerOf(actorId);
  const id = await resolveBoost(ctx.db, viewer, postId);
  try {
    await transactionWithRetry(ctx.db, async (trx) => {
      // Key-share: the post cannot be deleted under us, and the counter below is the one it will keep.
      await findVisibleStatus(trx, viewer, id, { lock: 'keyShare' });
      const row = await trx
        .insertInto('favourites')
        .values({ account_id: actorId, status_id: id })
        .onConflict((oc) => oc.columns(['account_id', 'status_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return;
      await trx.updateTable('statuses').set((eb) => ({ favourites_count: eb('favourites_count', '+', 1) })).where('id', '=', id).execute();
      await ctx.bus.publish(trx, 'favourite.created', { favouriteId: row.id, accountId: actorId, postId: id });
    });
  } catch (error) {
    throw constraintViolation(error, 'No such post.') ?? error;
  }
  return visiblePost(ctx.db, id, viewer);
}

/** Takes a favourite back (idempotent); NotFound for a post the actor may not see. Returns the post. */
export async function unfavourite(ctx: CoreContext, actorId: string, postId: string): Promise<Post> {
  const viewer = viewerOf(actorId);
  const id = await resolveBoost(ctx.db, viewer, postId);
  await transactionWithRetry(ctx.db, async (trx) => {
    await findVisibleStatus(trx, viewer, id, { lock: 'keyShare' });
    const row = await trx.deleteFrom('favourites').where('account_id', '=', actorId).where('status_id', '=', id).returning('id').executeTakeFirst();
    if (!row) return;
    await trx.updateTable('statuses').set((eb) => ({ favourites_count: eb('favourites_count', '-', 1) })).where('id', '=', id).execute();
    await trx.deleteFrom('notifications').where('type', '=', 'favourite').where('from_account_id', '=', actorId).where('status_id', '=', id).execute();
  });
  return visiblePost(ctx.db, id, viewer);
}

/** Who favourited a post the viewer may see, newest first, paged by the favourite's id. */
export async function favouritedBy(ctx: CoreContext, viewerId: string | undefined, postId: string, page?: PageRequest): Promise<AccountEntry[]> {
  return postAccountList(ctx.db, 'favourites', viewerId, postId, page);
}

/** The viewer's favourites they may still see, newest favourite first, paged by the favourite's id. */
export async function favouritesOf(ctx: CoreContext, viewerId: string, page?: PageRequest): Promise<PostEntry[]> {
  return ownPostList(ctx.db, 'favourites', viewerId, page);
}
