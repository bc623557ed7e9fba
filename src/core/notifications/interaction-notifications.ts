import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { isId } from '../domain/ids.ts';

// The consumers of follow.created, favourite.created, reblog.created and post.edited: each re-reads the row the event
// names (gone: taken back before the job ran, nothing to say) and inserts one notification, keyed by
// (recipient, type, actor, post) so a repeated job makes no second one. Nobody is notified of their own act.

/** `notify-follow`: "X followed you", if the follow still stands. Returns how many notifications were made (0 or 1). */
export async function notifyFollow(ctx: CoreContext, followId: string): Promise<number> {
  if (!isId(followId)) return 0;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO notifications (account_id, type, from_account_id)
    SELECT target_account_id, 'follow', account_id FROM follows WHERE id = ${followId}
    ON CONFLICT (account_id, type, from_account_id, status_id) DO NOTHING
    RETURNING id`.execute(ctx.db);
  return rows.length;
}

/** `notify-favourite`: "X favourited your post", if the favourite still stands and X is not the author. */
export async function notifyFavourite(ctx: CoreContext, favouriteId: string): Promise<number> {
  if (!isId(favouriteId)) return 0;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO notifications (account_id, type, from_account_id, status_id)
    SELECT s.account_id, 'favourite', f.account_id, f.status_id
    FROM favourites f JOIN statuses s ON s.id = f.status_id
    WHERE f.id = ${favouriteId} AND s.account_id <> f.account_id
    ON CONFLICT (account_id, type, from_account_id, status_id) DO NOTHING
    RETURNING id`.execute(ctx.db);
  return rows.length;
}

/** `notify-reblog`: "X boosted your post", if the boost still stands and X is not the author. */
export async function notifyReblog(ctx: CoreContext, reblogId: string): Promise<number> {
  if (!isId(reblogId)) return 0;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO notifications (account_id, type, from_account_id, status_id)
    SELECT o.account_id, 'reblog', b.account_id, o.id
    FROM statuses b JOIN statuses o ON o.id = b.reblog_of_id
    WHERE b.id = ${reblogId} AND o.account_id <> b.account_id
    ON CONFLICT (account_id, type, from_account_id, status_id) DO NOTHING
    RETURNING id`.execute(ctx.db);
  return rows.length;
}

/**
 * `notify-update`: "a post you boosted was edited", to each account that boosts it now (not its author).
 * One notification per (booster, post): a later edit brings it back up as new and unread (a new id, so
 * it sorts first), while a repeated job for the same edit finds it already at that edit and does nothing.
 */
export async function notifyEdit(ctx: CoreContext, postId: string): Promise<number> {
  if (!isId(postId)) return 0;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO notifications (account_id, type, from_account_id, status_id, created_at)
    SELECT b.account_id, 'update', o.account_id, o.id, o.edited_at
    FROM statuses o JOIN statuses b ON b.reblog_of_id = o.id
    WHERE o.id = ${postId} AND o.edited_at IS NOT NULL AND b.account_id <> o.account_id
    ON CONFLICT (account_id, type, from_account_id, status_id)
      DO UPDATE SET id = DEFAULT, created_at = excluded.created_at, read_at = NULL
      WHERE notifications.created_at < excluded.created_at
    RETURNING id`.execute(ctx.db);
  return rows.length;
}
