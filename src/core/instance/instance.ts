import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from '../accounts/account-view.ts';
import { videoSupport } from '../media/ffmpeg-runner.ts';

/** What the instance and nodeinfo documents say about the site, counted now. */
export interface InstanceFacts {
  users: number;
  /** Accounts that posted in the last 30 days / 180 days. */
  activeMonth: number;
  activeHalfyear: number;
  /** Local posts (boosts excluded, as the accounts' counters count them). */
  posts: number;
  /** Whom to contact: the first admin, else the first account; null while no account exists. */
  contact: Account | null;
  /** Whether this server takes video and audio (ffmpeg found): the announced types and limits follow. */
  videoSupported: boolean;
}

/** The site's figures and contact account for the discovery documents, in two indexed queries. */
export async function instanceFacts(ctx: CoreContext): Promise<InstanceFacts> {
  const counts = await ctx.db
    .selectFrom('accounts')
    .select([
      sql<string>`count(*)::text`.as('users'),
      sql<string>`count(*) FILTER (WHERE last_status_at >= now() - interval '30 days')::text`.as('active_month'),
      sql<string>`count(*) FILTER (WHERE last_status_at >= now() - interval '180 days')::text`.as('active_halfyear'),
      sql<string>`coalesce(sum(statuses_count), 0)::text`.as('posts'),
    ])
    .executeTakeFirstOrThrow();
  const contact = await ctx.db
    .selectFrom('accounts')
    .select(ACCOUNT_COLUMNS)
    .orderBy('is_admin', 'desc')
    .orderBy('id', 'asc')
    .limit(1)
    .executeTakeFirst();
  return {
    users: Number(counts.users),
    activeMonth: Number(counts.active_month),
    activeHalfyear: Number(counts.active_halfyear),
    posts: Number(counts.posts),
    contact: contact ? toAccount(contact) : null,
    videoSupported: (await videoSupport(ctx.config)).ok,
  };
}
