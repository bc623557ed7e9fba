import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { Invalid } from '../domain/errors.ts';
import { MS_PER_DAY, parseDay, previousDay } from './days.ts';

/** One UTC day's figures. */
export interface DailyStats {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  newAccounts: number;
  /** Accounts that posted that day. */
  activeAccounts: number;
  posts: number;
  replies: number;
  mentions: number;
  emailsSent: number;
  emailsFailed: number;
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * Computes one UTC day's figures from the tables and stores them, replacing any earlier row for the
 * day (so re-running a day is harmless). Each figure is one indexed range scan.
 */
export async function computeDailyStats(ctx: CoreContext, dayInput: string): Promise<DailyStats> {
  const day = parseDay(dayInput);
  const from = new Date(`${day}T00:00:00Z`);
  const to = new Date(from.getTime() + MS_PER_DAY);
  const { rows } = await sql<{
    new_accounts: string; active_accounts: string; posts: string; replies: string; mentions: string; emails_sent: string; emails_failed: string;
  }>`
    WITH day_posts AS (
      SELECT id, account_id, in_reply_to_id FROM statuses
      WHERE created_at >= ${from} AND created_at < ${to} AND reblog_of_id IS NULL
    )
    SELECT
      (SELECT count(*) FROM accounts WHERE created_at >= ${from} AND created_at < ${to})::text AS new_accounts,
      (SELECT count(DISTINCT account_id) FROM day_posts)::text AS active_accounts,
      (SELECT count(*) FROM day_posts)::text AS posts,
      (SELECT count(*) FROM day_posts WHERE in_reply_to_id IS NOT NULL)::text AS replies,
      (SELECT count(*) FROM mentions m JOIN day_posts p ON p.id = m.status_id)::text AS mentions,
      (SELECT count(*) FROM email_deliveries WHERE sent_at >= ${from} AND sent_at < ${to})::text AS emails_sent,
      (SELECT count(*) FROM email_deliveries WHERE failed_at >= ${from} AND failed_at < ${to})::text AS emails_failed
  `.execute(ctx.db);
  const r = rows[0]!;
  const stats: DailyStats = {
    day,
    newAccounts: Number(r.new_accounts),
    activeAccounts: Number(r.active_accounts),
    posts: Number(r.posts),
    replies: Number(r.replies),
    mentions: Number(r.mentions),
    emailsSent: Number(r.emails_sent),
    emailsFailed: Number(r.emails_failed),
  };
  const figures = {
    new_accounts: stats.newAccounts,
    active_accounts: stats.activeAccounts,
    posts: stats.posts,
    replies: stats.replies,
    mentions: stats.mentions,
    emails_sent: stats.emailsSent,
    emails_failed: stats.emailsFailed,
    computed_at: new Date(),
  };
  await ctx.db
    .insertInto('daily_stats')
    .values({ day, ...figures })
    .onConflict((oc) => oc.column('day').doUpdateSet(figures))
    .execute();
  return stats;
}

/** The stored figures for the `days` days up to `until` (default yesterday), oldest first; days not computed are absent. */
export async function listDailyStats(ctx: CoreContext, options: { days?: number; until?: string } = {}): Promise<DailyStats[]> {
  const days = Math.min(Math.max(Math.trunc(options.days ?? 30), 1), 366);
  const until = options.until ? parseDay(options.until, 'until') : previousDay();
  const since = addDays(until, -(days - 1));
  const rows = await ctx.db
    .selectFrom('daily_stats')
    .select([
      sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'),
      'new_accounts', 'active_accounts', 'posts', 'replies', 'mentions', 'emails_sent', 'emails_failed',
    ])
    .where('day', '>=', since)
    .where('day', '<=', until)
    .orderBy('day')
    .execute();
  return rows.map((r) => ({
    day: r.day,
    newAccounts: r.new_accounts,
    activeAccounts: r.active_accounts,
    posts: r.posts,
    replies: r.replies,
    mentions: r.mentions,
    emailsSent: r.emails_sent,
    emailsFailed: r.emails_failed,
  }));
}

/** Days from `from` to `to` (default yesterday) that have no stored figures yet, oldest first. */
export async function missingStatsDays(ctx: CoreContext, fromInput: string, toInput?: string): Promise<string[]> {
  const from = parseDay(fromInput, 'from');
  const to = toInput ? parseDay(toInput, 'to') : previousDay();
  if (from > to) return [];
  if (Date.parse(to) - Date.parse(from) > 3660 * MS_PER_DAY) throw new Invalid('Backfill at most ten years at a time.', 'from');
  const rows = await ctx.db
    .selectFrom('daily_stats')
    .select(sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'))
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  const have = new Set(rows.map((r) => r.day));
  const missing: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) if (!have.has(day)) missing.push(day);
  return missing;
}
