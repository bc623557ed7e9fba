import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { MarkerTimeline } from '../db/schema.ts';
import { Invalid } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { withTransaction } from '../db/transaction.ts';

// Where an account stopped reading (Mastodon's markers), so its apps agree on it: the id of the last
// item read in the home timeline and in the notifications, with a version that counts the saves.

export const MARKER_TIMELINES = ['home', 'notifications'] as const satisfies readonly MarkerTimeline[];

export interface Marker {
  timeline: MarkerTimeline;
  lastReadId: string;
  version: number;
  updatedAt: Date;
}

/** The account's saved markers for these timelines (a timeline never saved is absent). */
export async function getMarkers(ctx: CoreContext, accountId: string, timelines: readonly MarkerTimeline[] = MARKER_TIMELINES): Promise<Marker[]> {
  const wanted = MARKER_TIMELINES.filter((t) => timelines.includes(t));
  if (wanted.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('markers')
    .select(['timeline', 'last_read_id', 'version', 'updated_at'])
    .where('account_id', '=', accountId)
    .where('timeline', 'in', wanted)
    .execute();
  return rows.map((r) => ({ timeline: r.timeline, lastReadId: r.last_read_id, version: r.version, updatedAt: r.updated_at }));
}

/** Saves the position in each timeline given (an id), each save raising its version; returns those saved. */
export async function saveMarkers(ctx: CoreContext, accountId: string, positions: Partial<Record<MarkerTimeline, string>>): Promise<Marker[]> {
  const entries = MARKER_TIMELINES.flatMap((t) => (positions[t] === undefined ? [] : [[t, positions[t]!] as const]));
  for (const [timeline, id] of entries) {
    if (!isId(id)) throw new Invalid(`${timeline}[last_read_id] must be an id.`, `${timeline}[last_read_id]`);
  }
  if (entries.length === 0) return [];
  return withTransaction(ctx, async ({ db: trx }) => {
    const saved: Marker[] = [];
    for (const [timeline, id] of entries) {
      const row = await trx
        .insertInto('markers')
        .values({ account_id: accountId, timeline, last_read_id: id })
        .onConflict((oc) => oc.columns(['account_id', 'timeline']).doUpdateSet({ last_read_id: id, version: sql`markers.version + 1`, updated_at: sql`now()` }))
        .returning(['timeline', 'last_read_id', 'version', 'updated_at'])
        .executeTakeFirstOrThrow();
      saved.push({ timeline: row.timeline, lastReadId: row.last_read_id, version: row.version, updatedAt: row.updated_at });
      // Read in an app is read on the website too: its badge counts what is unread.
      if (timeline === 'notifications') {
        await trx.updateTable('notifications').set({ read_at: new Date() }).where('account_id', '=', accountId).where('read_at', 'is', null).where('id', '<=', id).execute();
      }
    }
    return saved;
  });
}
