import type { CoreContext } from '../context.ts';
import { NotFound } from '../domain/errors.ts';
import { normalizeTag } from '../domain/post-text.ts';
import { cleanText } from '../domain/text-input.ts';

// Hashtags as things to find: those some post has used (the tags table), by exact name or by the
// start of their name (search). Case-insensitive, as tags are stored lower-case.

export interface Tag {
  name: string;
}

const MAX_TAG_QUERY = 100;

/** The tag named `name` (with or without `#`, any case) if some post used it; NotFound otherwise. */
export async function getTag(ctx: CoreContext, name: string): Promise<Tag> {
  const wanted = normalizeTag(cleanText(String(name)).trim().replace(/^#/, '')).slice(0, MAX_TAG_QUERY + 1);
  const row = wanted ? await ctx.db.selectFrom('tags').select('name').where('name', '=', wanted).executeTakeFirst() : undefined;
  if (!row) throw new NotFound('No such tag.');
  return { name: row.name };
}

/** Tags whose name starts with `q` (a leading `#` ignored), shortest first. */
export async function searchTags(ctx: CoreContext, q: string, options: { limit?: number; offset?: number } = {}): Promise<Tag[]> {
  const text = normalizeTag(cleanText(String(q)).trim().replace(/^#/, '')).slice(0, MAX_TAG_QUERY);
  if (text === '' || /\s/.test(text)) return [];
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 20) || 20, 1), 40);
  const offset = Math.min(Math.max(Math.trunc(options.offset ?? 0) || 0, 0), 10_000);
  const rows = await ctx.db
    .selectFrom('tags')
    .select('name')
    .where('name', 'like', `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .orderBy((eb) => eb.fn('length', ['name']))
    .orderBy('name')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows;
}
