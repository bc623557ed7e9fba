import type { CoreContext } from '../context.ts';

/**
 * Embedded mode only, at start: emails a previous process was sending when it was killed become
 * pending again at once instead of after their lease. The embedded database belongs to one process,
 * so no live attempt can hold them (on PostgreSQL another worker may, and the lease stands).
 * A send the dead process had completed but not yet recorded is repeated, with the same Message-ID,
 * exactly as after a lapsed lease (see email-deliveries.ts). Returns how many were released.
 */
export async function releaseAbandonedEmailClaims(ctx: CoreContext): Promise<number> {
  const released = await ctx.db
    .updateTable('email_deliveries')
    .set({ state: 'pending', claim_token: null, lease_until: null })
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(released.numUpdatedRows);
}
