import type { Transaction } from 'kysely';
import type { CoreContext } from '../context.ts';
import type { Database, Visibility } from '../db/schema.ts';
import { constraintViolation } from '../db/errors.ts';
import { withTransaction } from '../db/transaction.ts';
import { Forbidden, Invalid, NotFound } from '../domain/errors.ts';
import { renderPostHtml } from '../domain/post-text.ts';
import type { Post } from './post-view.ts';
import { visiblePost } from './hydrate.ts';
import { viewerOf } from './visibility.ts';
import { findVisibleStatus } from './visible-status.ts';
import { metrics } from '../metrics.ts';
import { insertTags, validatePostInput, type ValidPostInput } from './post-input.ts';
import { attachMedia } from '../media/attach.ts';

export interface CreatePostInput {
  text: string;
  visibility?: Visibility | undefined;
  inReplyToId?: string | undefined;
  spoilerText?: string | undefined;
  sensitive?: boolean | undefined;
  language?: string | undefined;
  /** The OAuth app posting for the author (shown as the Status's `application`). */
  applicationId?: string | undefined;
  /** Uploads of the author's to attach, in order (ready, and attached to nothing else). */
  mediaIds?: readonly string[] | undefined;
  /**
   * Take uploads still processing too (they show "processing" until done): the website's compose form,
   * whose uploads are made in the same request and which cannot poll as an API client does. The API
   * keeps Mastodon's refusal.
   */
  allowProcessingMedia?: boolean | undefined;
}

/**
 * Publishes a post: the status, its mentions and tags, and the author's counters, in one transaction.
 * Only mentions of existing accounts become links and mention rows.
 */
export async function createPost(ctx: CoreContext, authorId: string, input: CreatePostInput): Promise<Post> {
  const v = validatePostInput(ctx, input);
  let id: string;
  try {
    // Joins the caller's transaction when there is one (createPostOnce claims its key in it).
    id = await withTransaction(ctx, (tx) => insertPost(tx, tx.db, authorId, input, v));
  } catch (error) {
    // The locks below prevent these; this is the net for any race they do not cover.
    throw constraintViolation(error, 'The post you reply to, or your account, no longer exists.') ?? error;
  }
  metrics.postsCreated.inc();
  return getPost(ctx, id, authorId);
}

async function insertPost(
  ctx: CoreContext,
  trx: Transaction<Database>,
  authorId: string,
  input: CreatePostInput,
  v: ValidPostInput,
): Promise<string> {
  // FOR KEY SHARE: the author and the mentioned accounts cannot be deleted until this commits; one
  // deleted just before is simply not found (the select waits for that delete, then skips the row).
  // One round trip for both.
  const accounts = await trx
    .selectFrom('accounts')
    .select(['id', 'username'])
    .where((eb) => (v.parsed.mentions.length ? eb.or([eb('id', '=', authorId), eb('username', 'in', v.parsed.mentions)]) : eb('id', '=', authorId)))
    .forKeyShare()
    .execute();
  if (!accounts.some((a) => a.id === authorId)) throw new NotFound('Your account no longer exists.');
  const mentionedNames = new Set(v.parsed.mentions);
  const mentioned = accounts.filter((a) => mentionedNames.has(a.username));
  let inReplyToAccountId: string | null = null;
  if (input.inReplyToId) {
    const parent = await findVisibleStatus(trx, viewerOf(authorId), input.inReplyToId);
    inReplyToAccountId = parent.accountId;
    // The update locks the parent, so it cannot be deleted before the reply commits; if it was deleted
    // since it was read, nothing is updated and the reply is refused like any missing post.
    const counted = await trx
      .updateTable('statuses')
      .set((eb) => ({ replies_count: eb('replies_count', '+', 1) }))
      .where('id', '=', parent.id)
      .returning('id')
      .executeTakeFirst();
    if (!counted) throw new NotFound('No such post.');
  }
  // A post of attachments alone has no paragraph (clients show no empty line above the pictures).
  const contentHtml = v.text === '' ? '' : renderPostHtml(v.text, v.parsed, { knownUsernames: new Set(mentioned.map((m) => m.username)) });
  const status = await trx
    .insertInto('statuses')
    .values({
      account_id: authorId,
      text: v.text,
      content_html: contentHtml,
      spoiler_text: v.spoilerText,
      visibility: v.visibility,
      sensitive: v.sensitive,
      language: v.language,
      in_reply_to_id: input.inReplyToId ?? null,
      in_reply_to_account_id: inReplyToAccountId,
      application_id: input.applicationId ?? null,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  if (mentioned.length) {
    await trx
      .insertInto('mentions')
      .values(mentioned.map((m) => ({ status_id: status.id, account_id: m.id })))
      .execute();
  }
  await insertTags(trx, status.id, v.parsed.tags);
  await attachMedia(trx, authorId, status.id, v.mediaIds, { allowProcessing: input.allowProcessingMedia ?? false });
  await trx
    .updateTable('accounts')
    .set((eb) => ({ statuses_count: eb('statuses_count', '+', 1), last_status_at: status.created_at }))
    .where('id', '=', authorId)
    .execute();
  // On the same transaction: the post and its event commit together, or neither does.
  await ctx.bus.publish(trx, 'post.created', { postId: status.id, authorId });
  return status.id;
}

/** The longest `Idempotency-Key` kept (clients send UUIDs); a key past it is refused. */
export const IDEMPOTENCY_KEY_MAX = 200;
/** How long a key answers with its first post (Mastodon: one hour). */
export const IDEMPOTENCY_KEY_TTL_MS = 60 * 60 * 1000;

/**
 * createPost, once per (author, key) within an hour: a repeat returns the first post (its deletion
 * frees the key); `now` lets tests move time. The key is claimed in the post's own transaction, so of
 * two requests racing with one key, the second waits for the first to commit and answers its post.
 */
export async function createPostOnce(ctx: CoreContext, authorId: string, key: string, input: CreatePostInput, options: { now?: Date } = {}): Promise<Post> {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) throw new Invalid(`An Idempotency-Key has 1 to ${IDEMPOTENCY_KEY_MAX} characters.`, 'Idempotency-Key');
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);
  const id = await withTransaction(ctx, async (tx) => {
    // Inserts the key, or takes over one older than an hour; a live key of another request is left
    // alone (the conflict waits for that request's transaction to end, so its post is there to read).
    const claimed = await tx.db
      .insertInto('idempotency_keys')
      .values({ account_id: authorId, key, created_at: now })
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'key'])
          .doUpdateSet({ status_id: null, created_at: now })
          .where('idempotency_keys.created_at', '<', cutoff),
      )
      .returning('status_id')
      .executeTakeFirst();
    if (!claimed) {
      const first = await tx.db.selectFrom('idempotency_keys').select('status_id').where('account_id', '=', authorId).where('key', '=', key).executeTakeFirst();
      if (first?.status_id) return first.status_id;
      throw new NotFound('No such post.');
    }
    const post = await createPost(tx, authorId, input);
    await tx.db.updateTable('idempotency_keys').set({ status_id: post.id }).where('account_id', '=', authorId).where('key', '=', key).execute();
    return post.id;
  });
  return getPost(ctx, id, authorId);
}

/** One post, if the viewer (or a logged-out visitor) may see it; NotFound otherwise. */
export function getPost(ctx: CoreContext, id: string, viewerId?: string): Promise<Post> {
  return visiblePost(ctx.db, id, viewerOf(viewerId));
}

/** One status as the API knows it: a post, or a boost with its post inside; NotFound when not visible. */
export function getStatus(ctx: CoreContext, id: string, viewerId?: string): Promise<Post> {
  return visiblePost(ctx.db, id, viewerOf(viewerId), { boosts: true });
}

/**
 * Deletes a post of the author's own; anyone else gets Forbidden. Its boosts go with it, and every
 * counter they touched follows in the same transaction. Returns what was deleted.
 */
export async function deletePost(ctx: CoreContext, actorId: string, id: string): Promise<Post> {
  const post = await visiblePost(ctx.db, id, viewerOf(actorId));
  if (post.account.id !== actorId) throw new Forbidden('You can delete only your own posts.');
  const mediaKeys = await ctx.db.transaction().execute(async (trx) => {
    // Locked first: a boost being added holds a key-share lock on the post, so this waits for it to
    // commit and then sees it below; a boost that comes later finds the post gone.
    const locked = await trx.selectFrom('statuses').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) return []; // deleted meanwhile by another request
    // The post's attachments go with it (their rows here, their files once this has committed).
    const media = await trx.deleteFrom('media_attachments').where('status_id', '=', id).returning(['original_key', 'small_key', 'upload_key']).execute();
    const boosts = await trx.deleteFrom('statuses').where('reblog_of_id', '=', id).returning('account_id').execute();
    const deleted = await trx.deleteFrom('statuses').where('id', '=', id).returning('in_reply_to_id').executeTakeFirst();
    if (!deleted) return [];
    const perAccount = new Map<string, number>([[actorId, 1]]);
    for (const b of boosts) perAccount.set(b.account_id, (perAccount.get(b.account_id) ?? 0) + 1);
    await decrementStatusesCounts(trx, perAccount);
    if (deleted.in_reply_to_id) {
      await trx
        .updateTable('statuses')
        .set((eb) => ({ replies_count: eb('replies_count', '-', 1) }))
        .where('id', '=', deleted.in_reply_to_id)
        .where('replies_count', '>', 0)
        .execute();
    }
    await ctx.bus.publish(trx, 'post.deleted', { postId: id, authorId: actorId });
    return media.flatMap((m) => [m.original_key, m.small_key, m.upload_key].filter((k): k is string => k !== null));
  });
  // After the commit, so a rollback never loses a file; one that fails to go is left for the storage cleanup.
  for (const key of mediaKeys) await ctx.storage.delete(key);
  return post;
}

/** Lowers accounts' statuses_count by the number of their rows just deleted, in one statement. */
async function decrementStatusesCounts(trx: Transaction<Database>, perAccount: Map<string, number>): Promise<void> {
  // Ordered by id: concurrent deletes lock the accounts in the same order, so they cannot deadlock.
  const entries = [...perAccount].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1));
  for (const [accountId, n] of entries) {
    await trx
      .updateTable('accounts')
      .set((eb) => ({ statuses_count: eb('statuses_count', '-', n) }))
      .where('id', '=', accountId)
      .execute();
  }
}
