import type { Transaction } from 'kysely';
import type { Account } from '../accounts/account-view.ts';
import type { CoreContext } from '../context.ts';
import type { Database, EditMedia, Visibility } from '../db/schema.ts';
import { constraintViolation } from '../db/errors.ts';
import { withTransaction } from '../db/transaction.ts';
import { Invalid, NotFound } from '../domain/errors.ts';
import { renderPostHtml } from '../domain/post-text.ts';
import { checkMediaIds, replaceMedia, type MediaAttribute } from '../media/attach.ts';
import { parseFocus } from '../media/focus.ts';
import { checkDescription } from '../media/description.ts';
import { MEDIA_COLUMNS, toMediaAttachment, type MediaAttachment } from '../media/media-view.ts';
import { visiblePost } from './hydrate.ts';
import { insertTags, validatePostInput, type ValidPostInput } from './post-input.ts';
import type { Post } from './post-view.ts';
import { viewerOf } from './visibility.ts';

// Editing a post (Mastodon's PUT /api/v1/statuses/:id, the website's edit form). An edit passes the
// checks a new post does; what it may not change is where the post went (visibility) and what it answers.
// Every version is kept: the original (stored at the first edit) and each edit, so /history can show them.

export interface EditPostInput {
  text: string;
  /** Absent: kept as it is. '' takes the content warning away. */
  spoilerText?: string | undefined;
  /** Absent: kept, unless a content warning is given (then it follows it, as on a new post). */
  sensitive?: boolean | undefined;
  /** Absent: kept. */
  language?: string | undefined;
  /** Only the post's own visibility is accepted: an edit cannot widen or narrow who sees a post (Mastodon). */
  visibility?: Visibility | undefined;
  /** Absent: the attachments stay. Otherwise the post's attachments become these uploads, in this order. */
  mediaIds?: readonly string[] | undefined;
  /** Description and focal point of attachments the edited post has (Mastodon's `media_attributes[]`). */
  mediaAttributes?: readonly MediaAttribute[] | undefined;
}

/** One version of a post, as GET /api/v1/statuses/:id/history lists them. */
export interface PostRevision {
  text: string;
  contentHtml: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  createdAt: Date;
  account: Account;
  /** Its attachments as that version had them (those since removed and cleaned up are gone). */
  media: MediaAttachment[];
}

/**
 * Changes a post of the author's own: text, content warning, sensitive flag, language. Its mentions and
 * hashtags follow the new text; `post.edited` (on the same transaction) notifies the newly mentioned and
 * those who boosted it. Anyone else's post, a boost, and a deleted post are NotFound (Mastodon finds the
 * post among the caller's own). Two edits at once apply one after the other.
 */
export async function editPost(ctx: CoreContext, actorId: string, id: string, input: EditPostInput): Promise<Post> {
  const current = await visiblePost(ctx.db, id, viewerOf(actorId));
  if (current.account.id !== actorId) throw new NotFound('No such post of yours.');
  try {
    await withTransaction(ctx, (tx) => applyEdit(tx, tx.db, actorId, id, input));
  } catch (error) {
    throw constraintViolation(error, 'The post, or your account, no longer exists.') ?? error;
  }
  return visiblePost(ctx.db, id, viewerOf(actorId));
}

/** The input checked as a new post is, what it leaves out taken from the post as it is now. */
function validateEdit(
  ctx: CoreContext,
  input: EditPostInput,
  now: { visibility: Visibility; spoiler_text: string; sensitive: boolean; language: string | null },
  hasMedia: boolean,
): ValidPostInput {
  if (input.visibility !== undefined && input.visibility !== now.visibility) {
    throw new Invalid(`The visibility of a post cannot change when it is edited (it is ${now.visibility}).`, 'visibility');
  }
  return validatePostInput(ctx, {
    text: input.text,
    visibility: now.visibility,
    spoilerText: input.spoilerText ?? now.spoiler_text,
    // Without a word on it, the flag stays as it was, unless a changed content warning says otherwise
    // (the website's form always sends the warning, changed or not).
    sensitive: input.sensitive ?? (input.spoilerText !== undefined && input.spoilerText !== now.spoiler_text ? undefined : now.sensitive),
    language: input.language ?? now.language ?? undefined,
  }, hasMedia);
}

async function applyEdit(ctx: CoreContext, trx: Transaction<Database>, authorId: string, id: string, input: EditPostInput): Promise<void> {
  // FOR NO KEY UPDATE: a second edit (or a delete) waits here for the first to commit, and an edit then
  // edits its result (what it leaves out is taken from that result, not from an older read), so the
  // history is a line; a delete that came first leaves nothing to lock. Boosts and favourites, which only
  // hold the post's key, are not held up.
  const status = await trx
    .selectFrom('statuses')
    .select(['id', 'text', 'content_html', 'spoiler_text', 'sensitive', 'language', 'visibility', 'created_at'])
    .where('id', '=', id)
    .where('account_id', '=', authorId)
    .where('reblog_of_id', 'is', null)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!status) throw new NotFound('No such post.');
  const mediaBefore = await mediaOf(trx, id);
  if (input.mediaIds !== undefined) await replaceMedia(trx, authorId, id, checkMediaIds(input.mediaIds));
  if (input.mediaAttributes?.length) await applyMediaAttributes(trx, id, input.mediaAttributes);
  const mediaAfter = input.mediaIds !== undefined || input.mediaAttributes?.length ? await mediaOf(trx, id) : mediaBefore;
  // Linear in a text already bounded by the request, like createPost's checks: cheap under the lock.
  // A post of pictures alone stays one: its text may be edited to nothing (and its pictures removed
  // only while it keeps some text).
  const v = validateEdit(ctx, input, status, mediaAfter.length > 0);
  // As in createPost: the mentioned accounts cannot be deleted until this commits.
  const mentioned = v.parsed.mentions.length
    ? await trx.selectFrom('accounts').select(['id', 'username']).where('username', 'in', v.parsed.mentions).forKeyShare().execute()
    : [];
  const contentHtml = v.text === '' ? '' : renderPostHtml(v.text, v.parsed, { knownUsernames: new Set(mentioned.map((m) => m.username)) });
  const hasRevisions = await trx.selectFrom('status_edits').select('id').where('status_id', '=', id).limit(1).executeTakeFirst();
  if (!hasRevisions) {
    await trx
      .insertInto('status_edits')
      .values({ status_id: id, text: status.text, content_html: status.content_html, spoiler_text: status.spoiler_text, sensitive: status.sensitive, language: status.language, created_at: status.created_at, media: JSON.stringify(mediaBefore) })
      .execute();
  }
  // Taken after the lock: the later of two racing edits has the later time.
  const editedAt = new Date();
  await trx
    .insertInto('status_edits')
    .values({ status_id: id, text: v.text, content_html: contentHtml, spoiler_text: v.spoilerText, sensitive: v.sensitive, language: v.language, created_at: editedAt, media: JSON.stringify(mediaAfter) })
    .execute();
  await trx
    .updateTable('statuses')
    .set({ text: v.text, content_html: contentHtml, spoiler_text: v.spoilerText, sensitive: v.sensitive, language: v.language, edited_at: editedAt })
    .where('id', '=', id)
    .execute();
  await replaceMentions(trx, id, mentioned.map((m) => m.id));
  await trx.deleteFrom('statuses_tags').where('status_id', '=', id).execute();
  await insertTags(trx, id, v.parsed.tags);
  // notify-mentions notifies those not notified yet (its rows are keyed per recipient and post);
  // notify-update tells the boosters.
  await ctx.bus.publish(trx, 'post.edited', { postId: id, authorId });
}

/** A post's attachments as a version records them: ids in order, with description and focus. */
async function mediaOf(trx: Transaction<Database>, statusId: string): Promise<EditMedia[]> {
  const rows = await trx.selectFrom('media_attachments').select(['id', 'description', 'focus_x', 'focus_y']).where('status_id', '=', statusId).orderBy('position').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, description: r.description, focus: { x: Number(r.focus_x), y: Number(r.focus_y) } }));
}

/** The most `media_attributes` an edit may carry: one per attachment, with room for repeats. */
const MAX_MEDIA_ATTRIBUTES = 20;

/** Descriptions and focal points of the edited post's own attachments (any other id is refused). */
async function applyMediaAttributes(trx: Transaction<Database>, statusId: string, attributes: readonly MediaAttribute[]): Promise<void> {
  if (attributes.length > MAX_MEDIA_ATTRIBUTES) throw new Invalid(`media_attributes may list at most ${MAX_MEDIA_ATTRIBUTES} attachments.`, 'media_attributes');
  const own = new Set((await trx.selectFrom('media_attachments').select('id').where('status_id', '=', statusId).execute()).map((r) => r.id));
  for (const attribute of attributes) {
    const mediaId = String(attribute.id);
    if (!own.has(mediaId)) throw new Invalid(`media_attributes: ${JSON.stringify(mediaId.slice(0, 40))} is not an attachment of this post (list it in media_ids).`, 'media_attributes');
    const description = checkDescription(attribute.description);
    const focus = parseFocus(attribute.focus);
    if (description === undefined && focus === undefined) continue;
    await trx
      .updateTable('media_attachments')
      .set({ ...(description !== undefined ? { description } : {}), ...(focus ? { focus_x: focus.x, focus_y: focus.y } : {}), updated_at: new Date() })
      .where('id', '=', mediaId)
      .where('status_id', '=', statusId)
      .execute();
  }
}

/** The post's mentions become `accountIds`: rows of those still mentioned stay (with their notifications). */
async function replaceMentions(trx: Transaction<Database>, statusId: string, accountIds: string[]): Promise<void> {
  let removed = trx.deleteFrom('mentions').where('status_id', '=', statusId);
  if (accountIds.length) removed = removed.where('account_id', 'not in', accountIds);
  await removed.execute();
  if (accountIds.length === 0) return;
  await trx
    .insertInto('mentions')
    .values(accountIds.map((accountId) => ({ status_id: statusId, account_id: accountId })))
    .onConflict((oc) => oc.columns(['status_id', 'account_id']).doNothing())
    .execute();
}

/**
 * The versions of a post, oldest first, for whoever may see it (NotFound otherwise). A post never edited
 * has one version: itself.
 */
export async function postHistory(ctx: CoreContext, id: string, viewerId?: string): Promise<PostRevision[]> {
  const post = await visiblePost(ctx.db, id, viewerOf(viewerId));
  const rows = await ctx.db
    .selectFrom('status_edits')
    .select(['text', 'content_html', 'spoiler_text', 'sensitive', 'language', 'created_at', 'media'])
    .where('status_id', '=', id)
    .orderBy('id')
    .execute();
  if (rows.length === 0) {
    const { text, contentHtml, spoilerText, sensitive, language, createdAt, account, media } = post;
    return [{ text, contentHtml, spoilerText, sensitive, language, createdAt, account, media }];
  }
  // The attachments the versions name that still exist (the author's: ids in a version are never anyone
  // else's), each shown with the description and focus of its version.
  const ids = [...new Set(rows.flatMap((r) => (r.media ?? []).map((m) => m.id)))];
  const existing = ids.length
    ? await ctx.db.selectFrom('media_attachments').select(MEDIA_COLUMNS).where('id', 'in', ids).where('account_id', '=', post.account.id).where('state', '=', 'ready').execute()
    : [];
  const byId = new Map(existing.map((row) => [row.id, toMediaAttachment(row)]));
  return rows.map((r) => ({
    media: (r.media ?? []).flatMap((m) => {
      const attachment = byId.get(m.id);
      return attachment ? [{ ...attachment, description: m.description, focus: m.focus }] : [];
    }),
    text: r.text,
    contentHtml: r.content_html,
    spoilerText: r.spoiler_text,
    sensitive: r.sensitive,
    language: r.language,
    createdAt: r.created_at,
    account: post.account,
  }));
}
