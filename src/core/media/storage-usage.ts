import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { UNATTACHED_TTL_MS } from './cleanup.ts';
import { STORED_BYTES, quotaBytes } from './quota.ts';

// What the admin page says of media storage: bytes kept in total and by the accounts that keep the
// most, and the uploads waiting for a post (and how many of them the next cleanup removes). Counted
// from the rows, as the quota is (quota.ts).

export interface AccountStorage {
  accountId: string;
  username: string;
  bytes: number;
  attachments: number;
}

export interface MediaStorageOverview {
  totalBytes: number;
  attachments: number;
  /** The accounts keeping the most, largest first. */
  topAccounts: AccountStorage[];
  /** Uploads attached to no post. */
  unattached: number;
  /** Of those, the ones older than a day, which the next hourly cleanup removes. */
  unattachedExpired: number;
  /** The per-account quota in bytes (undefined: none). */
  quotaBytes: number | undefined;
}

/** Storage used in total and by the `top` accounts keeping the most, and the uploads waiting for cleanup. */
export async function mediaStorageOverview(ctx: CoreContext, top = 10): Promise<MediaStorageOverview> {
  const limit = Math.max(1, Math.min(100, Math.floor(top)));
  const cutoff = new Date(Date.now() - UNATTACHED_TTL_MS);
  const [total, accounts, unattached] = await Promise.all([
    ctx.db.selectFrom('media_attachments').select([STORED_BYTES.as('bytes'), sql<string>`count(*)`.as('n')]).executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom('media_attachments as m')
      .innerJoin('accounts as a', 'a.id', 'm.account_id')
      .select(['a.id', 'a.username', STORED_BYTES.as('bytes'), sql<string>`count(*)`.as('n')])
      .groupBy(['a.id', 'a.username'])
      .orderBy('bytes', 'desc')
      .orderBy('a.id')
      .limit(limit)
      .execute(),
    ctx.db
      .selectFrom('media_attachments')
      .select([sql<string>`count(*)`.as('n'), sql<string>`count(*) FILTER (WHERE created_at <= ${cutoff})`.as('expired')])
      .where('status_id', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    totalBytes: Number(total.bytes),
    attachments: Number(total.n),
    topAccounts: accounts.map((a) => ({ accountId: a.id, username: a.username, bytes: Number(a.bytes), attachments: Number(a.n) })),
    unattached: Number(unattached.n),
    unattachedExpired: Number(unattached.expired),
    quotaBytes: quotaBytes(ctx),
  };
}
