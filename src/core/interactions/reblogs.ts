import type { CoreContext } from '../context.ts';
import { constraintViolation } from '../db/errors.ts';
import { transactionWithRetry } from '../db/retry.ts';
import type { Visibility } from '../db/schema.ts';
import { Forbidden, Invalid, NotFound } from '../domain/errors.ts';
import type { AccountEntry } from '../follows/follows.ts';
import { hydratePosts, visiblePost } from '../posts/hydrate.ts';
import type { PageRequest } from '../posts/page.ts';
import { selectPosts, type Post } from '../posts/post-view.ts';
import { viewerOf } from '../posts/visibility.ts';
import { findVisibleStatus, resolveBoost } from '../posts/visible-status.ts';
import { postAccountList } from './post-entries.ts';

export interface ReblogOptions {
  /** Who sees the boost itself: public (default) or unlisted. */
  visibility?: Visibility | undefined;
}

/**
 * Boosts a post the actor may see (idempotent: one boost per account per post). Only public and unlisted
 * posts can be boosted, or one's own private post (the boost then stays private, as on Mastodon).
 * Returns the boost, its post inside.
 */
export async function reblog(ctx: CoreContext, actorId: string, postId: string, options: ReblogOptions = {}): Promise<Post> {
  const asked = options.visibility ?? 'public';
  if (asked !== 'public' && asked !== 'unlisted') throw new Invalid('A boost is public or unlisted.', 'visibility');
  const viewer = viewerOf(actorId);
  const id = await resolveBoost(ctx.db, viewer, postId);
  try {
    return await transactionWithRetry(ctx.db, async (trx) => {
      // Key-share: the post cannot be deleted until this commits; its delete then removes this boost too.
      const post = await findVisibleStatus(trx, viewer, id, { lock: 'keyShare' });
      const ownPrivate = post.visibility === 'private' && post.accountId === actorId;
      if (post.visibility !== 'public' && post.visibility !== 'unlisted' && !ownPrivate) {
        throw new Forbidden('Only public and unlisted posts can be boosted.');
      }
      const row = await trx
        .insertInto('statuses')
        .values({ account_id: actorId, text: '', content_html: '', visibility: ownPrivate ? 'private' : asked, reblog_of_id: id })
        .onConflict((oc) => oc.columns(['account_id', 'reblog_of_id']).where('reblog_of_id', 'is not', null).doNothing())
        .returning(['id', 'created_at'])
        .executeTakeFirst();
      if (row) {
        await trx.updateTable('statuses').set((eb) => ({ reblogs_count: eb('reblogs_count', '+', 1) })).where('id', '=', id).execute();
        await trx
          .updateTable('accounts')
          .set((eb) => ({ statuses_count: eb('statuses_count', '+', 1), last_status_at: row.created_at }))
          .where('id', '=', actorId)
          .execute();
        await ctx.bus.publish(trx, 'reblog.created', { reblogId: row.id, accountId: actorId, postId: id });
      }
      // Read in the transaction: an unboost racing this one cannot take the boost away from the answer.
      const rows = await selectPosts(trx, viewer).where('s.account_id', '=', actorId).where('s.reblog_of_id', '=', id).execute();
      const [boost] = await hydratePosts(trx, viewer, rows);
      if (!boost) throw new NotFound('No such post.');
      return boost;
    });
  } catch (error) {
    throw constraintViolation(error, 'No such post.') ?? error;
  }
}

/** Takes a boost back (idempotent); NotFound for a post the actor may not see. Returns the post. */
export async function unreblog(ctx: CoreContext, actorId: string, postId: string): Promise<Post> {
  const viewer = viewerOf(actorId);
  const id = await resolveBoost(ctx.db, viewer, postId);
  await transactionWithRetry(ctx.db, async (trx) => {
    await findVisibleStatus(trx, viewer, id, { lock: 'keyShare' });
    const row = await trx.deleteFrom('statuses').where('account_id', '=', actorId).where('reblog_of_id', '=', id).returning('id').executeTakeFirst();
    if (!row) return;
    await trx.updateTable('statuses').set((eb) => ({ reblogs_count: eb('reblogs_count', '-', 1) })).where('id', '=', id).execute();
    await trx.updateTable('accounts').set((eb) => ({ statuses_count: eb('statuses_count', '-', 1) })).where('id', '=', actorId).execute();
    await trx.deleteFrom('notifications').where('type', '=', 'reblog').where('from_account_id', '=', actorId).where('status_id', '=', id).execute();
  });
  return visiblePost(ctx.db, id, viewer);
}

/** Who boosted a post the viewer may see (boosts they may see), newest first, paged by the boost's id. */
export async function rebloggedBy(ctx: CoreContext, viewerId: string | undefined, postId: string, page?: PageRequest): Promise<AccountEntry[]> {
  return postAccountList(ctx.db, 'reblogs', viewerId, postId, page);
}
