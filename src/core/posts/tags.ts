import { sql, type ExpressionBuilder } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { Database } from '../db/schema.ts';
import { NotFound } from '../domain/errors.ts';
import { idAtTime } from '../domain/ids.ts';
import { normalizeTag } from '../domain/post-text.ts';
import { cleanText } from '../domain/text-input.ts';
import { ANONYMOUS, visibleTo } from './visibility.ts';

// Hashtags as things to find: those some post has used (the tags table), by exact name or by the
// start of their name (search). Case-insensitive, as tags are stored lower-case. Each comes with its
// use over the last week, as apps draw it (Mastodon's Tag history): public posts only, as a tag's
// public timeline shows them.

/** One UTC day of a tag's use: the day's start (Unix seconds), posts, distinct authors. */
export interface TagDay {
  day: Date;
  uses: number;
  accounts: number;
}

export interface Tag {
  name: string;
  /** The last HISTORY_DAYS UTC days, today first; days without use count 0. */
  history: TagDay[];
}

export const HISTORY_DAYS = 7;
const DAY_MS = 86_400_000;

/** The history of each of `names` (lower-case, as stored), in one query. */
async function histories(ctx: CoreContext, names: string[], now: Date): Promise<Map<string, TagDay[]>> {
  const today = Math.floor(now.getTime() / DAY_MS);
  const since = new Date((today - HISTORY_DAYS + 1) * DAY_MS);
  const rows = names.length
    ? await ctx.db
        .selectFrom('tags as t')
        .innerJoin('statuses_tags as st', 'st.tag_id', 't.id')
        .innerJoin('statuses as s', 's.id', 'st.status_id')
        .where('t.name', 'in', names)
        // The id bound lets the (tag_id, status_id) key find the week; created_at decides (ids come from creation time).
        .where('st.status_id', '>=', idAtTime(since))
        .where('s.created_at', '>=', since)
        .where('s.visibility', '=', 'public')
        .select((eb) => [
          't.name',
          eb.cast<number>(eb.fn('floor', [eb(eb.fn('date_part', [eb.val('epoch'), 's.created_at']), '/', DAY_MS / 1000)]), 'integer').as('day'),
          eb.fn.countAll<string>().as('uses'),
          eb.fn.count<string>('s.account_id').distinct().as('accounts'),
        ])
        .groupBy(['t.name', 'day'])
        .execute()
    : [];
  const byName = new Map<string, TagDay[]>();
  for (const name of names) {
    byName.set(
      name,
      Array.from({ length: HISTORY_DAYS }, (_, i) => ({ day: new Date((today - i) * DAY_MS), uses: 0, accounts: 0 })),
    );
  }
  for (const row of rows) {
    const day = byName.get(row.name)?.[today - Number(row.day)];
    if (day) Object.assign(day, { uses: Number(row.uses), accounts: Number(row.accounts) });
  }
  return byName;
}

async function withHistory(ctx: CoreContext, names: string[]): Promise<Tag[]> {
  const found = await histories(ctx, names, new Date());
  return names.map((name) => ({ name, history: found.get(name)! }));
}

const MAX_TAG_QUERY = 100;

/**
 * "Some post everyone may see uses the tag": a tag only in followers-only or direct posts is not to be
 * found at all (its name alone can say what a private conversation is about), so it answers as unknown.
 */
function publiclyUsed(eb: ExpressionBuilder<Database, 'tags'>) {
  return eb.exists(
    eb
      .selectFrom('statuses_tags as pst')
      .innerJoin('statuses as ps', 'ps.id', 'pst.status_id')
      .select(sql`1`.as('one'))
      .whereRef('pst.tag_id', '=', 'tags.id')
      .where(visibleTo(ANONYMOUS, 'ps')),
  );
}

/** The tag named `name` (with or without `#`, any case) if some public or unlisted post used it; NotFound otherwise. */
export async function getTag(ctx: CoreContext, name: string): Promise<Tag> {
  const wanted = normalizeTag(cleanText(String(name)).trim().replace(/^#/, '')).slice(0, MAX_TAG_QUERY + 1);
  const row = wanted ? await ctx.db.selectFrom('tags').select('name').where('name', '=', wanted).where(publiclyUsed).executeTakeFirst() : undefined;
  if (!row) throw new NotFound('No such tag.');
  const [tag] = await withHistory(ctx, [row.name]);
  return tag!;
}

/** Tags some public or unlisted post used whose name starts with `q` (a leading `#` ignored), shortest first. */
export async function searchTags(ctx: CoreContext, q: string, options: { limit?: number; offset?: number } = {}): Promise<Tag[]> {
  const text = normalizeTag(cleanText(String(q)).trim().replace(/^#/, '')).slice(0, MAX_TAG_QUERY);
  if (text === '' || /\s/.test(text)) return [];
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 20) || 20, 1), 40);
  const offset = Math.min(Math.max(Math.trunc(options.offset ?? 0) || 0, 0), 10_000);
  const rows = await ctx.db
    .selectFrom('tags')
    .select('name')
    .where('name', 'like', `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .where(publiclyUsed)
    .orderBy((eb) => eb.fn('length', ['name']))
    .orderBy('name')
    .limit(limit)
    .offset(offset)
    .execute();
  return withHistory(ctx, rows.map((r) => r.name));
}
