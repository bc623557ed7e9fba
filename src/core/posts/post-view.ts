import type { Kysely } from 'kysely';
import { toAccount, type Account } from '../accounts/account-view.ts';
import type { Database, Visibility } from '../db/schema.ts';
import type { MediaAttachment } from '../media/media-view.ts';
import { visibleTo, type Viewer } from './visibility.ts';

/** An account a post mentions, as a link needs it. */
export interface PostMention {
  id: string;
  username: string;
}

/** A post with everything a page or an API serializer shows of it (hydrate.ts loads a page in batches). */
export interface Post {
  id: string;
  /** The source text as typed ('' for a boost). */
  text: string;
  /** Safe HTML rendered from the text when it was posted ('' for a boost). */
  contentHtml: string;
  spoilerText: string;
  visibility: Visibility;
  sensitive: boolean;
  language: string | null;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  repliesCount: number;
  reblogsCount: number;
  favouritesCount: number;
  createdAt: Date;
  editedAt: Date | null;
  /** The app it was posted with (null from the website). */
  application: { name: string; website: string | null } | null;
  account: Account;
  /** The boosted post when this is a boost (itself hydrated, and visible to the viewer); else null. */
  reblog: Post | null;
  /** Accounts mentioned, in the order they were stored. */
  mentions: PostMention[];
  /** Hashtags, as stored (normalised, lower-case). */
  tags: string[];
  /** Attachments, in the order they were given (only ready ones can be attached). */
  media: MediaAttachment[];
  /** The viewer's own flags (false for a logged-out visitor and for the system). */
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
}

/**
 * The statuses ⨝ accounts select every post query starts from, restricted to what `viewer` may see:
 * no post query can be built without saying who looks (SYSTEM is the explicit escape).
 */
export function selectPosts(db: Kysely<Database>, viewer: Viewer) {
  return db
    .selectFrom('statuses as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .leftJoin('oauth_applications as oa', 'oa.id', 's.application_id')
    .select([
      's.id',
      's.text',
      's.content_html',
      's.spoiler_text',
      's.visibility',
      's.sensitive',
      's.language',
      's.in_reply_to_id',
      's.in_reply_to_account_id',
      's.reblog_of_id',
      's.replies_count',
      's.reblogs_count',
      's.favourites_count',
      's.account_id',
      's.created_at',
      's.edited_at',
      'oa.name as application_name',
      'oa.website as application_website',
      'a.username as account_username',
      'a.display_name as account_display_name',
      'a.note as account_note',
      'a.is_admin as account_is_admin',
      'a.locked as account_locked',
      'a.bot as account_bot',
      'a.discoverable as account_discoverable',
      'a.statuses_count as account_statuses_count',
      'a.followers_count as account_followers_count',
      'a.following_count as account_following_count',
      'a.last_status_at as account_last_status_at',
      'a.created_at as account_created_at',
    ])
    .where(visibleTo(viewer));
}

export type PostQuery = ReturnType<typeof selectPosts>;
export type PostRow = Awaited<ReturnType<PostQuery['executeTakeFirstOrThrow']>>;

/** A row's own columns as a Post, before hydration adds what other tables hold. */
export function toBarePost(row: PostRow): Post {
  return {
    id: row.id,
    text: row.text,
    contentHtml: row.content_html,
    spoilerText: row.spoiler_text,
    visibility: row.visibility,
    sensitive: row.sensitive,
    language: row.language,
    inReplyToId: row.in_reply_to_id,
    inReplyToAccountId: row.in_reply_to_account_id,
    repliesCount: row.replies_count,
    reblogsCount: row.reblogs_count,
    favouritesCount: row.favourites_count,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    application: row.application_name === null ? null : { name: row.application_name, website: row.application_website },
    account: toAccount({
      id: row.account_id,
      username: row.account_username,
      display_name: row.account_display_name,
      note: row.account_note,
      is_admin: row.account_is_admin,
      locked: row.account_locked,
      bot: row.account_bot,
      discoverable: row.account_discoverable,
      statuses_count: row.account_statuses_count,
      followers_count: row.account_followers_count,
      following_count: row.account_following_count,
      last_status_at: row.account_last_status_at,
      created_at: row.account_created_at,
    }),
    reblog: null,
    mentions: [],
    tags: [],
    media: [],
    favourited: false,
    reblogged: false,
    bookmarked: false,
  };
}
