import type { Kysely } from 'kysely';
import type { Database, Visibility } from '../db/schema.ts';
import { NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { visibleTo, type Viewer } from './visibility.ts';

export interface VisibleStatus {
  id: string;
  accountId: string;
  visibility: Visibility;
}

/**
 * The original post `id` (not a boost) if `viewer` may see it, else NotFound — invisible looks the same as
 * missing, so ids cannot be probed. `lock: 'keyShare'` keeps it from being deleted until the caller's
 * transaction ends (a favourite or boost being added); `'update'` holds off those (a delete).
 */
export async function findVisibleStatus(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
  options: { lock?: 'keyShare' | 'update' } = {},
): Promise<VisibleStatus> {
  if (!isId(id)) throw new NotFound('No such post.');
  let query = db
    .selectFrom('statuses as s')
    .select(['s.id', 's.account_id', 's.visibility'])
    .where('s.id', '=', id)
    .where('s.reblog_of_id', 'is', null)
    .where(visibleTo(viewer));
  if (options.lock === 'keyShare') query = query.forKeyShare();
  if (options.lock === 'update') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFound('No such post.');
  return { id: row.id, accountId: row.account_id, visibility: row.visibility };
}

/** The post a visible id stands for: a boost's own post (if visible too), or the post itself. */
export async function resolveBoost(db: Kysely<Database>, viewer: Viewer, id: string): Promise<string> {
  if (!isId(id)) throw new NotFound('No such post.');
  const row = await db.selectFrom('statuses as s').select('s.reblog_of_id').where('s.id', '=', id).where(visibleTo(viewer)).executeTakeFirst();
  if (!row) throw new NotFound('No such post.');
  return row.reblog_of_id ?? id;
}
