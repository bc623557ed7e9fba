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
