import { sql, type Kysely } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { Database } from '../db/schema.ts';
import { QuotaExceeded } from '../domain/errors.ts';

// The per-account storage quota (MEDIA_QUOTA_MB; 0: none). What an account uses is what its rows keep
// in storage: an upload waiting for the pipeline (`upload_size`, while `upload_key` names it) and the
// served variants (`original_size`, `small_size`). Counted from the rows, never the disk, so it is one
// indexed sum and the same on every machine. The pipeline's variants are written after the upload was
// admitted, so an account may end a little past its quota by their difference from the upload; every
// later upload is refused until it is back under.

const MB = 1024 * 1024;

/** The SQL sum of the bytes rows keep in storage. */
export const STORED_BYTES = sql<string>`coalesce(sum(coalesce(original_size, 0) + coalesce(small_size, 0) + CASE WHEN upload_key IS NOT NULL THEN upload_size ELSE 0 END), 0)`;

/** Bytes of media `accountId` keeps in storage. */
export async function mediaBytesUsed(db: Kysely<Database>, accountId: string): Promise<number> {
  const row = await db.selectFrom('media_attachments').select(STORED_BYTES.as('bytes')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.bytes);
}

/** The quota in bytes, or undefined when there is none. */
export function quotaBytes(ctx: CoreContext): number | undefined {
  return ctx.config.mediaQuotaMb > 0 ? ctx.config.mediaQuotaMb * MB : undefined;
}

/** A size in megabytes as people read it (one decimal below 10 MB). */
function megabytes(bytes: number): string {
  const mb = bytes / MB;
  return `${mb < 10 ? (Math.ceil(mb * 10) / 10).toFixed(1) : Math.ceil(mb)} MB`;
}

/**
 * Throws QuotaExceeded when adding a file of `adding` bytes to `used` would pass `quota`; with the size
 * not known yet (a stream before it is stored), when the quota is already full.
 */
export function checkQuota(used: number, adding: number | undefined, quota: number | undefined): void {
  if (quota === undefined) return;
  if (adding === undefined ? used < quota : used + adding <= quota) return;
  const what = adding === undefined ? 'it is full' : `this file (${megabytes(adding)}) would pass it`;
  throw new QuotaExceeded(
    `Your media use ${megabytes(used)} of your ${megabytes(quota)} storage quota, and ${what}. Delete posts with pictures, or unattached uploads, to make room.`,
    'file',
  );
}
