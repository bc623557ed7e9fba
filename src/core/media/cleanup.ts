import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { markFailed } from './pipeline-tasks.ts';

// What keeps a small server's disk from filling with media nobody uses (the hourly `cleanup` job):
//   - uploads never attached to a post, 24 hours after they were made: their rows, then their files
//     once the delete has committed (a rollback never loses a file a row names);
//   - attachments of posts still `processing` a day after their upload: marked failed, so the post says
//     so rather than "processing" for good. A step whose last attempt was lost with its worker (killed,
//     restarted) ends in the dead-letter queue without marking anything; every queue's attempts together
//     last a few hours, so a day means the pipeline has given up (unattached ones are removed below);
//   - files under storage that no row names, last written more than a day ago: what a crash left
//     between a file's write and its row (or between a row's delete and its files'), and the partial
//     files of interrupted writes.
// Why an old unnamed file is never one a row still needs: keys are random per upload, a row is made
// after its upload's file (in the same request), and a variant is named by its row in the UPDATE that
// follows its write (or never: the row was deleted or failed meanwhile), whether the row is attached (a
// website post takes uploads still processing) or not. So a file older than a day that no row names now
// can only be named again by nothing. Each run is bounded (MAX_ROWS rows, MAX_FILES files
// removed); the next hour's run goes on. Running twice changes nothing the first did not.

/** How long an upload may wait for a post. */
export const UNATTACHED_TTL_MS = 24 * 3600 * 1000;
/** How old an unnamed file must be before the sweep removes it. */
export const ORPHAN_AGE_MS = 24 * 3600 * 1000;

const BATCH_SIZE = 200;
const MAX_ROWS = 10_000;
const MAX_FILES = 10_000;

export interface MediaCleanupOptions {
  /** The present, for the ages (default: now). */
  asOf?: Date;
}

/** How long after its upload an attachment may still be processing; past it, the pipeline gave up. */
export const PROCESSING_TTL_MS = 24 * 3600 * 1000;

/** What an attachment the pipeline gave up on says to its owner. */
export const GAVE_UP_REASON = 'Processing did not finish. Please upload the file again.';

export interface MediaCleanupResult {
  /** Attachments of posts marked failed after processing for a day. */
  stuck: number;
  /** Unattached uploads removed (rows). */
  unattached: number;
  /** Files no row named, removed. */
  orphanFiles: number;
  /** Partial files and empty folders removed. */
  leftovers: number;
}

/** Marks failed the attachments of posts still processing a day after their upload; how many. */
export async function failStuckMedia(ctx: CoreContext, options: MediaCleanupOptions = {}): Promise<number> {
  const cutoff = new Date((options.asOf ?? new Date()).getTime() - PROCESSING_TTL_MS);
  const rows = await ctx.db
    .selectFrom('media_attachments')
    .select('id')
    .where('state', '=', 'processing')
    .where('status_id', 'is not', null)
    .where('created_at', '<=', cutoff)
    .orderBy('created_at')
    .limit(MAX_ROWS)
    .execute();
  // markFailed acts only on a row still processing: one a late step finished meanwhile stays ready.
  for (const row of rows) await markFailed(ctx, row.id, GAVE_UP_REASON);
  return rows.length;
}

/** Removes unattached uploads older than a day: rows in batches, each batch's files after its delete. */
export async function removeUnattachedMedia(ctx: CoreContext, options: MediaCleanupOptions = {}): Promise<number> {
  const cutoff = new Date((options.asOf ?? new Date()).getTime() - UNATTACHED_TTL_MS);
  let removed = 0;
  while (removed < MAX_ROWS) {
    // `status_id IS NULL` again on the delete: a post that took the upload meanwhile (it locks the row
    // while attaching) keeps it, as the delete re-reads the row after waiting for that post's commit.
    const { rows } = await sql<{ upload_key: string | null; original_key: string | null; small_key: string | null }>`
      DELETE FROM media_attachments WHERE id IN (
        SELECT id FROM media_attachments WHERE status_id IS NULL AND created_at <= ${cutoff} ORDER BY created_at LIMIT ${BATCH_SIZE})
      AND status_id IS NULL
      RETURNING upload_key, original_key, small_key`.execute(ctx.db);
    for (const row of rows) for (const key of [row.upload_key, row.original_key, row.small_key]) if (key) await ctx.storage.delete(key);
    removed += rows.length;
    if (rows.length < BATCH_SIZE) break;
  }
  return removed;
}

/** The keys among `keys` that some row names. */
async function namedKeys(ctx: CoreContext, keys: string[]): Promise<Set<string>> {
  const rows = await ctx.db
    .selectFrom('media_attachments')
    .select(['upload_key', 'original_key', 'small_key'])
    .where((eb) => eb.or([eb('upload_key', 'in', keys), eb('original_key', 'in', keys), eb('small_key', 'in', keys)]))
    .execute();
  // An account's avatar and header (accounts/profile-images.ts) are named by its row, not an attachment's.
  const accounts = await ctx.db
    .selectFrom('accounts')
    .select(['avatar_key', 'avatar_small_key', 'header_key'])
    .where((eb) => eb.or([eb('avatar_key', 'in', keys), eb('avatar_small_key', 'in', keys), eb('header_key', 'in', keys)]))
    .execute();
  return new Set(
    [...rows.flatMap((r) => [r.upload_key, r.original_key, r.small_key]), ...accounts.flatMap((a) => [a.avatar_key, a.avatar_small_key, a.header_key])].filter((k): k is string => k !== null),
  );
}

/** Removes files older than a day that no row names, and what interrupted writes left. */
export async function removeOrphanMediaFiles(ctx: CoreContext, options: MediaCleanupOptions = {}): Promise<{ orphanFiles: number; leftovers: number }> {
  const cutoff = new Date((options.asOf ?? new Date()).getTime() - ORPHAN_AGE_MS);
  let orphanFiles = 0;
  const check = async (keys: string[]) => {
    const named = await namedKeys(ctx, keys);
    for (const key of keys) {
      if (named.has(key) || orphanFiles >= MAX_FILES) continue;
      await ctx.storage.delete(key);
      orphanFiles++;
    }
  };
  let batch: string[] = [];
  for await (const entry of ctx.storage.list()) {
    if (orphanFiles >= MAX_FILES) break;
    if (entry.modifiedAt > cutoff) continue;
    batch.push(entry.key);
    if (batch.length >= BATCH_SIZE) {
      await check(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await check(batch);
  const leftovers = await ctx.storage.removeLeftovers(cutoff);
  return { orphanFiles, leftovers };
}

/** The media part of the hourly cleanup: attachments stuck processing, unattached uploads, then the storage sweep. */
export async function cleanUpMedia(ctx: CoreContext, options: MediaCleanupOptions = {}): Promise<MediaCleanupResult> {
  const stuck = await failStuckMedia(ctx, options);
  const unattached = await removeUnattachedMedia(ctx, options);
  return { stuck, unattached, ...(await removeOrphanMediaFiles(ctx, options)) };
}
