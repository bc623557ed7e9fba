import { sql, type Kysely } from 'kysely';
import { toAccount, type Account, type ACCOUNT_COLUMNS } from '../accounts/account-view.ts';
import type { Database, Visibility } from '../db/schema.ts';
import { toMediaAttachment, type MediaAttachment, type MediaRow } from '../media/media-view.ts';
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

/** What a post's author shows on a card in a list: the name and the pictures. */
export type AuthorCard = Pick<Account, 'id' | 'username' | 'displayName' | 'avatarKey' | 'avatarSmallKey'>;

/**
 * What the website's lists of posts show of a post (post cards): a Post without its source text,
 * mentions, tags and app (its HTML already links the mentions and tags), and of its author only the
 * name and pictures. A full Post is a PostCard too.
 */
export interface PostCard extends Omit<Post, 'text' | 'mentions' | 'tags' | 'application' | 'account' | 'reblog'> {
  account: AuthorCard;
  reblog: PostCard | null;
}

// What other tables hold about each post — mentions, tags, attachments, the viewer's own flags — comes in the same
// statement as the post, as correlated subqueries: PostgreSQL runs them only for the rows the page
// returns (after its LIMIT), and a page costs one round trip instead of one per kind of detail. On a
// busy server the round trips, not the index lookups, are what a page costs.
const mentionsOf = sql<PostMention[]>`(SELECT coalesce(json_agg(json_build_object('id', ma.id::text, 'username', ma.username) ORDER BY pm.id), '[]'::json)
  FROM mentions pm JOIN accounts ma ON ma.id = pm.account_id WHERE pm.status_id = s.id)`;
const tagsOf = sql<string[]>`(SELECT coalesce(json_agg(pt.name ORDER BY pt.name), '[]'::json)
  FROM statuses_tags pst JOIN tags pt ON pt.id = pst.tag_id WHERE pst.status_id = s.id)`;
const mediaOf = sql<(Omit<MediaRow, 'created_at'> & { created_at: string })[]>`(SELECT coalesce(json_agg(json_build_object(
    'id', pma.id::text, 'account_id', pma.account_id::text, 'status_id', pma.status_id::text, 'type', pma.type, 'state', pma.state,
    'failure_reason', pma.failure_reason, 'description', pma.description, 'focus_x', pma.focus_x, 'focus_y', pma.focus_y,
    'original_key', pma.original_key, 'small_key', pma.small_key, 'meta', pma.meta, 'blurhash', pma.blurhash, 'created_at', pma.created_at
  ) ORDER BY pma.position), '[]'::json) FROM media_attachments pma WHERE pma.status_id = s.id)`;

/** The viewer's flags on the post `s` (all false for a logged-out visitor and for the system). */
function flagsOf(viewer: Viewer) {
  if (viewer.kind !== 'account') {
    const no = sql<boolean>`false`;
    return [no.as('favourited'), no.as('bookmarked'), no.as('reblogged')] as const;
  }
  const me = sql`${viewer.id}::bigint`;
  return [
    sql<boolean>`EXISTS (SELECT 1 FROM favourites ff WHERE ff.account_id = ${me} AND ff.status_id = s.id)`.as('favourited'),
    sql<boolean>`EXISTS (SELECT 1 FROM bookmarks fb WHERE fb.account_id = ${me} AND fb.status_id = s.id)`.as('bookmarked'),
    // The partial index statuses_reblog_key holds (account_id, reblog_of_id) of boosts only.
    sql<boolean>`EXISTS (SELECT 1 FROM statuses fr WHERE fr.account_id = ${me} AND fr.reblog_of_id = s.id AND fr.reblog_of_id IS NOT NULL)`.as('reblogged'),
  ] as const;
}

// The columns a post card shows (selectPostCards), which a full post has too (selectPosts).
const CARD_STATUS_COLUMNS = [
  's.id',
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
] as const;
const CARD_AUTHOR_COLUMNS = [
  'a.username as account_username',
  'a.display_name as account_display_name',
  'a.avatar_key as account_avatar_key',
  'a.avatar_small_key as account_avatar_small_key',
] as const;
// The rest of the author's account: a full post's, and a profile page's (selectProfileCards).
const MORE_AUTHOR_COLUMNS = [
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
  'a.header_key as account_header_key',
] as const;

/**
 * The statuses ⨝ accounts select every post query starts from, restricted to what `viewer` may see:
 * no post query can be built without saying who looks (SYSTEM is the explicit escape). Each row
 * carries its mentions, tags and the viewer's flags too (hydrate.ts adds boosted posts).
 */
export function selectPosts(db: Kysely<Database>, viewer: Viewer) {
  return db
    .selectFrom('statuses as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .leftJoin('oauth_applications as oa', 'oa.id', 's.application_id')
    .select([
      ...CARD_STATUS_COLUMNS,
      's.text',
      'oa.name as application_name',
      'oa.website as application_website',
      ...CARD_AUTHOR_COLUMNS,
      ...MORE_AUTHOR_COLUMNS,
      mentionsOf.as('mentions'),
      tagsOf.as('tags'),
      mediaOf.as('media'),
      ...flagsOf(viewer),
    ])
    .where(visibleTo(viewer));
}

export type PostQuery = ReturnType<typeof selectPosts>;

/**
 * selectPosts with only what a PostCard needs. Each column of a row costs the driver a decode on every
 * view; the public timeline page reads half the columns this way (about 40 % less of the server's
 * time in the database driver for that page).
 */
export function selectPostCards(db: Kysely<Database>, viewer: Viewer) {
  return db
    .selectFrom('statuses as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select([
      ...CARD_STATUS_COLUMNS,
      ...CARD_AUTHOR_COLUMNS,
      mediaOf.as('media'),
      ...flagsOf(viewer),
    ])
    .where(visibleTo(viewer));
}

export type PostCardQuery = ReturnType<typeof selectPostCards>;
export type PostCardRow = Awaited<ReturnType<PostCardQuery['executeTakeFirstOrThrow']>>;

/** selectPostCards with every column of the author: a profile page shows its account from its posts' rows. */
export function selectProfileCards(db: Kysely<Database>, viewer: Viewer) {
  return selectPostCards(db, viewer).select(MORE_AUTHOR_COLUMNS);
}

/** A card's row as a PostCard, before hydration adds the boosted post (hydrate.ts). `authors` as in toBarePost. */
export function toPostCard(row: PostCardRow, authors: Map<string, AuthorCard>): PostCard {
  let account = authors.get(row.account_id);
  if (account === undefined) {
    account = { id: row.account_id, username: row.account_username, displayName: row.account_display_name, avatarKey: row.account_avatar_key, avatarSmallKey: row.account_avatar_small_key };
    authors.set(row.account_id, account);
  }
  return {
    id: row.id,
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
    account,
    reblog: null,
    media: mediaOfRow(row.media),
    favourited: row.favourited,
    reblogged: row.reblogged,
    bookmarked: row.bookmarked,
  };
}

function mediaOfRow(media: PostRow['media']): MediaAttachment[] {
  return media.map((m) => toMediaAttachment({ ...m, created_at: new Date(m.created_at) }));
}
export type PostRow = Awaited<ReturnType<PostQuery['executeTakeFirstOrThrow']>>;

/**
 * A row as a Post, before hydration adds the boosted post. `authors`, given for the rows of one
 * statement, makes the rows of one author share one Account object (in one statement every row of an
 * author carries the same values): a page is one Account per author, and the API makes each
 * author's entity once (serializers/status.ts).
 */
export function toBarePost(row: PostRow, authors?: Map<string, Account>): Post {
  let account = authors?.get(row.account_id);
  if (account === undefined) {
    account = authorOf(row);
    authors?.set(row.account_id, account);
  }
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
    account,
    reblog: null,
    mentions: row.mentions,
    tags: row.tags,
    media: mediaOfRow(row.media),
    favourited: row.favourited,
    reblogged: row.reblogged,
    bookmarked: row.bookmarked,
  };
}

/** The author's columns of a row: `account_` and each of ACCOUNT_COLUMNS. */
type AuthorColumns = Pick<PostRow, `account_${(typeof ACCOUNT_COLUMNS)[number]}`>;

/** The author's columns of a row (selectPosts, selectProfileCards) as an Account. */
export function authorOf(row: AuthorColumns): Account {
  return toAccount({
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
    avatar_key: row.account_avatar_key,
    avatar_small_key: row.account_avatar_small_key,
    header_key: row.account_header_key,
  });
}
