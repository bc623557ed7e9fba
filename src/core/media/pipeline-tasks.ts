import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { MediaType } from '../db/schema.ts';
import { withTransaction } from '../db/transaction.ts';

// What every step of the media pipeline (pipeline.ts, av-pipeline.ts) does to an attachment's row: read
// it while its task is pending, give it its tasks (with their jobs, on one transaction), record a task
// done (the last one makes it ready), or mark it failed. Each is one conditional statement, so a repeated
// or concurrent attempt changes nothing twice.

/** Outcome of a step, for the worker's log line. */
export type StepOutcome = 'done' | 'skipped' | 'failed';

/** A pipeline task and the queue that runs it. */
export const TASK_QUEUES = { image: 'media-image', video: 'media-video', audio: 'media-video', thumbnail: 'media-thumbnail' } as const;
export type MediaTask = keyof typeof TASK_QUEUES;

export interface PendingRow {
  id: string;
  type: MediaType;
  uploadKey: string;
  /** The container the upload was sniffed as (video, audio), or the probed image format. */
  format: string | undefined;
}

/** The attachment while `task` is pending on it (null: the probe, before any task), else undefined. */
export async function pendingRow(ctx: CoreContext, id: string, task: MediaTask | null): Promise<PendingRow | undefined> {
  const row = await ctx.db
    .selectFrom('media_attachments')
    .select(['id', 'type', 'state', 'pending_tasks', 'upload_key', 'meta'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row || row.state !== 'processing' || !row.upload_key) return undefined;
  if (task === null ? row.pending_tasks.length > 0 : !row.pending_tasks.includes(task)) return undefined;
  return { id: row.id, type: row.type, uploadKey: row.upload_key, format: row.meta?.format };
}

/**
 * Gives a probed attachment its type and tasks, and enqueues them, on one transaction; only from the
 * probe's state (processing, no tasks), so a repeated probe starts nothing twice. Whether it did.
 */
export async function startTasks(ctx: CoreContext, id: string, type: MediaType, tasks: readonly MediaTask[], meta: Record<string, unknown>): Promise<boolean> {
  return withTransaction(ctx, async (tx) => {
    const updated = await tx.db
      .updateTable('media_attachments')
      .set({ type, pending_tasks: [...tasks], meta: sql<string>`meta || ${JSON.stringify(meta)}::jsonb`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('state', '=', 'processing')
      .where(sql<boolean>`cardinality(pending_tasks) = 0`)
      .returning('id')
      .executeTakeFirst();
    if (updated) for (const task of tasks) await tx.bus.enqueue(tx.db, TASK_QUEUES[task], { mediaId: id });
    return updated !== undefined;
  });
}

/** What a finished task records: its keys and sizes, its part of `meta`, the blurhash. */
export interface TaskResult {
  original_key?: string;
  original_size?: number;
  small_key?: string;
  small_size?: number;
  blurhash?: string;
  meta: Record<string, unknown>;
}

/**
 * Records `task` done in one conditional UPDATE (only while it is pending), and removes the upload when
 * that made the attachment ready. 'skipped' when another attempt recorded it first.
 */
export async function finishTask(ctx: CoreContext, id: string, task: MediaTask, uploadKey: string, result: TaskResult): Promise<StepOutcome> {
  const { meta, ...columns } = result;
  const done = await ctx.db
    .updateTable('media_attachments')
    .set({
      ...columns,
      meta: sql<string>`meta || ${JSON.stringify(meta)}::jsonb`,
      pending_tasks: sql<string[]>`array_remove(pending_tasks, ${task})`,
      // The last task to finish makes the attachment ready, whichever worker ran the others.
      state: sql<'ready' | 'processing'>`CASE WHEN cardinality(array_remove(pending_tasks, ${task})) = 0 THEN 'ready' ELSE 'processing' END`,
      upload_key: sql<string | null>`CASE WHEN cardinality(array_remove(pending_tasks, ${task})) = 0 THEN NULL ELSE upload_key END`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('state', '=', 'processing')
    .where(sql<boolean>`${task} = ANY(pending_tasks)`)
    .returning(['state'])
    .executeTakeFirst();
  if (!done) return 'skipped';
  // Ready: the upload (with its metadata) is no longer needed. Failing here leaves an orphan for the
  // storage cleanup, never a broken attachment.
  if (done.state === 'ready') await ctx.storage.delete(uploadKey);
  return 'done';
}

/** Marks a processing attachment failed with the reason its owner sees, and drops its upload and whatever its tasks wrote. */
export async function markFailed(ctx: CoreContext, id: string, reason: string): Promise<void> {
  const keys = await withTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('media_attachments').select(['upload_key', 'original_key', 'small_key']).where('id', '=', id).where('state', '=', 'processing').forUpdate().executeTakeFirst();
    if (!row) return [];
    // What the tasks done so far wrote (a transcoded video whose poster then failed) goes too: a failed
    // attachment shows nothing, so its files would only fill the disk and the owner's quota.
    await tx.db
      .updateTable('media_attachments')
      .set({ state: 'failed', failure_reason: reason.slice(0, 500), pending_tasks: [], upload_key: null, original_key: null, original_size: null, small_key: null, small_size: null, blurhash: null, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
    return [row.upload_key, row.original_key, row.small_key];
  });
  // After the commit; a failure here only leaves an orphan for the storage cleanup.
  for (const key of keys) if (key) await ctx.storage.delete(key);
}
