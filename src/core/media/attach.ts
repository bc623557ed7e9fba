import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { Invalid } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';

// Attaching uploads to a new post, inside the post's transaction: each must be the author's own, ready
// (or still processing, for the website's own uploads of the same request), and attached to nothing else. The rows are locked, so two posts racing for one upload cannot both
// take it (the second sees it attached), and a delete of the upload waits for the post to commit.

/** The most attachments a post has (Mastodon's 4). */
export const MAX_ATTACHMENTS = 4;

export const NOT_READY_MESSAGE = 'Cannot attach files that have not finished processing. Try again in a moment!';

/** The media ids of a new post, checked for shape and count; repeats are taken once, in first order. */
export function checkMediaIds(ids: readonly string[] | undefined): string[] {
  // Ids as text, whatever a caller passed (a JSON number loses digits, and is refused by shape below).
  const unique = [...new Set((ids ?? []).map(String))];
  if (unique.length > MAX_ATTACHMENTS) throw new Invalid(`A post has at most ${MAX_ATTACHMENTS} attachments.`, 'media_ids');
  for (const id of unique) if (!isId(id)) throw new Invalid(`media_ids: ${JSON.stringify(String(id).slice(0, 40))} is not a media id.`, 'media_ids');
  return unique;
}

/** Attaches `ids` (checked) to the new post `statusId`, in their order; `allowProcessing` takes uploads not yet ready. */
export async function attachMedia(trx: Transaction<Database>, accountId: string, statusId: string, ids: readonly string[], options: { allowProcessing?: boolean } = {}): Promise<void> {
  if (ids.length === 0) return;
  const rows = await trx
    .selectFrom('media_attachments')
    .select(['id', 'state', 'status_id', 'failure_reason'])
    .where('id', 'in', ids)
    .where('account_id', '=', accountId)
    .orderBy('id')
    .forUpdate()
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) throw new Invalid(`media_ids: ${id} is not one of your uploads.`, 'media_ids');
    if (row.status_id !== null) throw new Invalid(`media_ids: ${id} is already attached to a post.`, 'media_ids');
    if (row.state === 'processing' && !options.allowProcessing) throw new Invalid(NOT_READY_MESSAGE, 'media_ids');
    if (row.state === 'failed') throw new Invalid(`media_ids: ${id} could not be processed (${row.failure_reason ?? 'unknown reason'}); upload it again.`, 'media_ids');
  }
  for (const [position, id] of ids.entries()) {
    await trx.updateTable('media_attachments').set({ status_id: statusId, position }).where('id', '=', id).execute();
  }
}

/** Changes to one attachment of an edited post (Mastodon's `media_attributes[]`). */
export interface MediaAttribute {
  id: string;
  description?: string | undefined;
  focus?: string | undefined;
}

/**
 * An edit's new attachments for `statusId`, in the post's transaction: the ones it keeps stay, new ones
 * are checked as on a new post (the author's, ready, attached to nothing), and the ones left out are
 * unattached — the hourly cleanup then removes them and their files, as any upload attached to nothing.
 */
export async function replaceMedia(trx: Transaction<Database>, accountId: string, statusId: string, ids: readonly string[]): Promise<void> {
  // The post's attachments and the ones named, locked in one statement in id order (as attachMedia
  // does), so a new post racing for the same uploads waits rather than deadlocks.
  let locking = trx.selectFrom('media_attachments').select(['id', 'state', 'status_id', 'failure_reason', 'account_id']);
  locking = ids.length > 0 ? locking.where((eb) => eb.or([eb('status_id', '=', statusId), eb('id', 'in', ids)])) : locking.where('status_id', '=', statusId);
  const rows = await locking.orderBy('id').forUpdate().execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of ids) {
    const row = byId.get(id);
    if (!row || row.account_id !== accountId) throw new Invalid(`media_ids: ${id} is not one of your uploads.`, 'media_ids');
    if (row.status_id === statusId) continue;
    if (row.status_id !== null) throw new Invalid(`media_ids: ${id} is already attached to another post.`, 'media_ids');
    if (row.state === 'processing') throw new Invalid(NOT_READY_MESSAGE, 'media_ids');
    if (row.state === 'failed') throw new Invalid(`media_ids: ${id} could not be processed (${row.failure_reason ?? 'unknown reason'}); upload it again.`, 'media_ids');
  }
  const removed = rows.filter((r) => r.status_id === statusId && !ids.includes(r.id)).map((r) => r.id);
  if (removed.length > 0) {
    await trx.updateTable('media_attachments').set({ status_id: null, position: 0, updated_at: new Date() }).where('id', 'in', removed).execute();
  }
  for (const [position, id] of ids.entries()) {
    await trx.updateTable('media_attachments').set({ status_id: statusId, position }).where('id', '=', id).execute();
  }
}
