import type { Transaction } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { Database } from '../db/schema.ts';
import { Invalid } from '../domain/errors.ts';
import { checkMediaIds } from '../media/attach.ts';
import { isId } from '../domain/ids.ts';
import { MAX_URL_LENGTH } from '../domain/post-links.ts';
import { RAW_FACTOR, URL_LENGTH, parsePostText, postLength } from '../domain/post-text.ts';
import { cleanText } from '../domain/text-input.ts';
import { VISIBILITIES } from '../domain/visibility.ts';
import type { CreatePostInput } from './posts.ts';

// What a post's text, content warning, visibility and language must be, and how its hashtags are stored:
// shared by createPost and editPost, so an edit passes exactly the checks a new post does. Not a module
// of use cases (core.posts binds posts.ts, not this).

/** The longest content warning. */
export const SPOILER_MAX = 500;

/**
 * Checks and normalises what a user typed; throws Invalid naming the field to fix. `keepsMedia`: the post
 * (being edited) already has attachments, so it may have no text.
 */
export function validatePostInput(ctx: CoreContext, input: CreatePostInput, keepsMedia = false) {
  const text = cleanText(input.text ?? '').trimEnd();
  const spoilerText = cleanText(input.spoilerText ?? '').trim();
  const mediaIds = checkMediaIds(input.mediaIds);
  // A post of pictures alone needs no words (Mastodon: status is required unless there is media).
  if (text.trim().length === 0 && mediaIds.length === 0 && !keepsMedia) throw new Invalid('Write something before posting.', 'status');
  // Every step below is linear in the text, and the cheap ones come first: the raw size, then the length
  // as people count it (links as 23), then each link; only a post within its length is parsed for mentions
  // and tags. So no shape of input can hold the event loop (issue 7: superlinear URL patterns did).
  const max = ctx.config.maxPostLength;
  if (text.length > max * RAW_FACTOR) throw new Invalid(`Posts have at most ${max} characters (a link counts as ${URL_LENGTH}).`, 'status');
  const length = postLength(text);
  if (length > max) throw new Invalid(`Posts have at most ${max} characters; this one has ${length}.`, 'status');
  const parsed = parsePostText(text, ctx.localHost);
  if (parsed.entities.some((e) => e.kind === 'url' && e.url.length > MAX_URL_LENGTH)) {
    throw new Invalid(`Links have at most ${MAX_URL_LENGTH} characters; shorten the long one.`, 'status');
  }
  if (spoilerText.length > SPOILER_MAX) throw new Invalid(`Content warnings have at most ${SPOILER_MAX} characters.`, 'spoiler_text');
  const visibility = input.visibility ?? 'public';
  if (!VISIBILITIES.includes(visibility)) throw new Invalid(`Visibility must be one of ${VISIBILITIES.join(', ')}.`, 'visibility');
  if (input.inReplyToId !== undefined && !isId(input.inReplyToId)) throw new Invalid('in_reply_to_id must be a post id.', 'in_reply_to_id');
  const language = input.language?.trim().toLowerCase() || null;
  if (language !== null && !/^[a-z]{2,3}$/.test(language)) throw new Invalid('Language must be an ISO 639 code such as "en".', 'language');
  return { text, spoilerText, parsed, visibility, language, sensitive: input.sensitive ?? spoilerText.length > 0, mediaIds };
}

export async function insertTags(trx: Transaction<Database>, statusId: string, tags: string[]): Promise<void> {
  if (tags.length === 0) return;
  await trx
    .insertInto('tags')
    .values(tags.map((name) => ({ name })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const rows = await trx.selectFrom('tags').select('id').where('name', 'in', tags).execute();
  await trx
    .insertInto('statuses_tags')
    .values(rows.map((r) => ({ tag_id: r.id, status_id: statusId })))
    .execute();
}

/** What validatePostInput answers: the input checked and normalised, its text parsed. */
export type ValidPostInput = ReturnType<typeof validatePostInput>;
