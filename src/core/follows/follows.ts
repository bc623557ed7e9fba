import { sql, type Kysely, type Transaction } from 'kysely';
import { ACCOUNT_COLUMNS, toAccount, type Account } from '../accounts/account-view.ts';
import type { CoreContext } from '../context.ts';
import { constraintViolation } from '../db/errors.ts';
import { transactionWithRetry } from '../db/retry.ts';
import type { Database } from '../db/schema.ts';
import { Invalid, NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { pageBounds, type PageRequest } from '../posts/page.ts';
import { toRelationship, type Relationship } from './relationship.ts';

export interface FollowOptions {
  /** Show their boosts in the home timeline (default true; changes an existing follow when given). */
  reblogs?: boolean | undefined;
  /** Be told when they post (stored; default false). */
  notify?: boolean | undefined;
}

/** An account in a list paged by the row that put it there (`pageId`: the cursor for max_id/min_id). */
export interface AccountEntry {
  pageId: string;
  account: Account;
}

const MAX_RELATIONSHIP_IDS = 100;

/** Moves both accounts' counters by `delta` in one statement (one lock order for every caller). */
async function countFollow(trx: Transaction<Database>, accountId: string, targetId: string, delta: 1 | -1): Promise<void> {
  await sql`
    UPDATE accounts SET
      following_count = following_count + CASE WHEN id = ${accountId}::bigint THEN ${delta}::int ELSE 0 END,
      followers_count = followers_count + CASE WHEN id = ${targetId}::bigint THEN ${delta}::int ELSE 0 END
    WHERE id IN (${accountId}::bigint, ${targetId}::bigint)`.execute(trx);
}

/** Follows an account (idempotent: a repeat changes nothing but the options given) and returns the relationship. */
export async function follow(ctx: CoreContext, actorId: string, targetId: string, options: FollowOptions = {}): Promise<Relationship> {
  if (!isId(targetId)) throw new NotFound('No such account.');
  if (actorId === targetId) throw new Invalid('You cannot follow yourself.', 'id');
  try {
    await transactionWithRetry(ctx.db, async (trx) => {
      const inserted = await trx
        .insertInto('follows')
        .values({ account_id: actorId, target_account_id: targetId, show_reblogs: options.reblogs ?? true, notify: options.notify ?? false })
        .onConflict((oc) => oc.columns(['account_id', 'target_account_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) {
        await countFollow(trx, actorId, targetId, 1);
        await ctx.bus.publish(trx, 'follow.created', { followId: inserted.id, accountId: actorId, targetAccountId: targetId });
      } else if (options.reblogs !== undefined || options.notify !== undefined) {
        await trx
          .updateTable('follows')
          .set({ ...(options.reblogs !== undefined ? { show_reblogs: options.reblogs } : {}), ...(options.notify !== undefined ? { notify: options.notify } : {}) })
          .where('account_id', '=', actorId)
          .where('target_account_id', '=', targetId)
          .execute();
      }
    });
  } catch (error) {
    throw constraintViolation(error, 'No such account.') ?? error;
  }
  return relationship(ctx.db, actorId, targetId);
}

/** Stops following an account (idempotent) and returns the relationship. */
export async function unfollow(ctx: CoreContext, actorId: string, targetId: string): Promise<Relationship> {
  if (!isId(targetId)) throw new NotFound('No such account.');
  await transactionWithRetry(ctx.db, async (trx) => {
    const deleted = await trx.deleteFrom('follows').where('account_id', '=', actorId).where('target_account_id', '=', targetId).returning('id').executeTakeFirst();
    if (!deleted) return;
    await countFollow(trx, actorId, targetId, -1);
    // "X followed you" no longer holds.
    await trx.deleteFrom('notifications').where('account_id', '=', targetId).where('type', '=', 'follow').where('from_account_id', '=', actorId).execute();
  });
  return relationship(ctx.db, actorId, targetId);
}

async function relationship(db: Kysely<Database>, viewerId: string, targetId: string): Promise<Relationship> {
  const [found] = await relationshipRows(db, viewerId, [targetId]);
  if (!found) throw new NotFound('No such account.');
  return found;
}

async function relationshipRows(db: Kysely<Database>, viewerId: string, ids: readonly string[]): Promise<Relationship[]> {
  const wanted = [...new Set(ids.filter(isId))].slice(0, MAX_RELATIONSHIP_IDS);
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('accounts as a')
    .leftJoin('follows as o', (j) => j.onRef('o.target_account_id', '=', 'a.id').on('o.account_id', '=', viewerId))
    .leftJoin('follows as i', (j) => j.onRef('i.account_id', '=', 'a.id').on('i.target_account_id', '=', viewerId))
    .select(['a.id', 'o.id as out_id', 'o.show_reblogs', 'o.notify', 'i.id as in_id'])
    .where('a.id', 'in', wanted)
    .execute();
  const byId = new Map(
    rows.map((r) => [
      r.id,
      toRelationship({ id: r.id, following: r.out_id !== null, followed_by: r.in_id !== null, showing_reblogs: r.show_reblogs, notifying: r.notify }),
    ]),
  );
  return wanted.flatMap((id) => byId.get(id) ?? []);
}

/** The viewer's relationship to each existing account of `ids` (at most 100), in the order asked. */
export async function relationships(ctx: CoreContext, viewerId: string, ids: readonly string[]): Promise<Relationship[]> {
  return relationshipRows(ctx.db, viewerId, ids);
}

async function followList(ctx: CoreContext, accountId: string, side: 'followers' | 'following', page: PageRequest = {}): Promise<AccountEntry[]> {
  const bounds = pageBounds(page, { limit: 40, max: 80 });
  if (!isId(accountId)) throw new NotFound('No such account.');
  // followers: rows whose target is the account, showing who follows; following: the reverse.
  const [mine, theirs] = side === 'followers' ? (['f.target_account_id', 'f.account_id'] as const) : (['f.account_id', 'f.target_account_id'] as const);
  let query = ctx.db
    .selectFrom('follows as f')
    .innerJoin('accounts as a', 'a.id', theirs)
    .select(['f.id as page_id', ...ACCOUNT_COLUMNS.map((c) => `a.${c}` as const)])
    .where(mine, '=', accountId);
  if (bounds.maxId) query = query.where('f.id', '<', bounds.maxId);
  if (bounds.sinceId) query = query.where('f.id', '>', bounds.sinceId);
  if (bounds.minId) query = query.where('f.id', '>', bounds.minId);
  const rows = await query.orderBy('f.id', bounds.minId ? 'asc' : 'desc').limit(bounds.limit).execute();
  if (bounds.minId) rows.reverse();
  if (rows.length === 0) {
    const exists = await ctx.db.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    if (!exists) throw new NotFound('No such account.');
  }
  return rows.map((r) => ({ pageId: r.page_id, account: toAccount(r) }));
}

/** Who follows the account, newest follow first, paged by the follow's id. */
export async function followers(ctx: CoreContext, accountId: string, page?: PageRequest): Promise<AccountEntry[]> {
  return followList(ctx, accountId, 'followers', page);
}

/** Whom the account follows, newest follow first, paged by the follow's id. */
export async function following(ctx: CoreContext, accountId: string, page?: PageRequest): Promise<AccountEntry[]> {
  return followList(ctx, accountId, 'following', page);
}
