import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';

// The stored counters (accounts: statuses, followers, following; statuses: replies, boosts, favourites)
// against fresh COUNTs of the rows they count. The use cases keep them exact; this is how to check it
// (tests after concurrent use, an operator after an incident). It reads whole tables: not for requests.

/** A stored counter that differs from the rows it counts. */
export interface CounterDrift {
  table: 'accounts' | 'statuses';
  id: string;
  counter: string;
  stored: number;
  counted: number;
}

/** Every counter that differs from a fresh COUNT (empty when all are exact). */
export async function counterDrift(ctx: CoreContext): Promise<CounterDrift[]> {
  const { rows } = await sql<{ table: 'accounts' | 'statuses'; id: string; counter: string; stored: number; counted: number }>`
    WITH account_counts AS (
      SELECT a.id, a.statuses_count, a.followers_count, a.following_count,
        (SELECT count(*) FROM statuses s WHERE s.account_id = a.id)::int AS statuses,
        (SELECT count(*) FROM follows f WHERE f.target_account_id = a.id)::int AS followers,
        (SELECT count(*) FROM follows f WHERE f.account_id = a.id)::int AS following
      FROM accounts a
    ), status_counts AS (
      SELECT s.id, s.replies_count, s.reblogs_count, s.favourites_count,
        (SELECT count(*) FROM statuses r WHERE r.in_reply_to_id = s.id)::int AS replies,
        (SELECT count(*) FROM statuses b WHERE b.reblog_of_id = s.id)::int AS reblogs,
        (SELECT count(*) FROM favourites f WHERE f.status_id = s.id)::int AS favourites
      FROM statuses s
    )
    SELECT 'accounts' AS table, id::text AS id, 'statuses_count' AS counter, statuses_count AS stored, statuses AS counted FROM account_counts WHERE statuses_count <> statuses
    UNION ALL SELECT 'accounts', id::text, 'followers_count', followers_count, followers FROM account_counts WHERE followers_count <> followers
    UNION ALL SELECT 'accounts', id::text, 'following_count', following_count, following FROM account_counts WHERE following_count <> following
    UNION ALL SELECT 'statuses', id::text, 'replies_count', replies_count, replies FROM status_counts WHERE replies_count <> replies
    UNION ALL SELECT 'statuses', id::text, 'reblogs_count', reblogs_count, reblogs FROM status_counts WHERE reblogs_count <> reblogs
    UNION ALL SELECT 'statuses', id::text, 'favourites_count', favourites_count, favourites FROM status_counts WHERE favourites_count <> favourites`.execute(ctx.db);
  return rows;
}
