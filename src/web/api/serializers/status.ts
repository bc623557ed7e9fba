import { mediaAttachmentSchema, toMastodonMediaAttachment, type MastodonMediaAttachment } from './media-attachment.ts';
import { absoluteLinks, postUrl, profileUrl, tagUrl, type Post, type SiteUrls } from '../../../core/index.ts';
import { accountSchema, toMastodonAccount, type MastodonAccount } from './account.ts';
import { anyObject, arr, bool, int, nul, obj, objOrNull, orNull, ref, str } from './schema.ts';

// The Status entity (mastodon-api.md §3), every key present. `content` is the HTML the website shows,
// stored root-relative and made absolute here (Tusky matches a mention's href against `mentions[].url`,
// which is the same profile URL). A boost is a wrapper with empty content and the original in `reblog`,
// as Mastodon sends it.
//
// The viewer's flags (favourited, reblogged, bookmarked, muted, pinned) are always present: `false` for
// an anonymous caller. Mastodon leaves them out then, but strict decoders accept a false where they
// would have to tolerate a missing key, and a logged-out viewer has indeed done none of these.

export interface MastodonMention {
  id: string;
  username: string;
  url: string;
  acct: string;
}

export interface MastodonStatusTag {
  name: string;
  url: string;
}

export interface MastodonApplication {
  name: string;
  website: string | null;
}

export interface MastodonStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  edited_at: string | null;
  account: MastodonAccount;
  content: string;
  visibility: string;
  sensitive: boolean;
  spoiler_text: string;
  language: string | null;
  media_attachments: MastodonMediaAttachment[];
  mentions: MastodonMention[];
  tags: MastodonStatusTag[];
  emojis: never[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  quotes_count: number;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: MastodonStatus | null;
  application: MastodonApplication | null;
  poll: null;
  card: null;
  favourited: boolean;
  reblogged: boolean;
  muted: boolean;
  bookmarked: boolean;
  pinned: boolean;
  filtered: never[];
}

/** A Status as the API answers DELETE: the entity plus its source text, for "delete and redraft". */
export type MastodonDeletedStatus = MastodonStatus & { text: string };

/**
 * Account entities already made for a list, by the Account object they show: a page of statuses
 * carries one Account object per author and query (hydrate.ts), so an author's entity is made once a
 * page instead of once a status (an account's own page: twenty times the same).
 */
export type AccountEntities = Map<Post['account'], MastodonAccount>;

/** A post (or a boost, with its post inside) as the Mastodon API shows it (links against `site`: a Config). */
export function toMastodonStatus(post: Post, site: SiteUrls, accounts?: AccountEntities): MastodonStatus {
  const publicUrl = site.publicUrl;
  let account = accounts?.get(post.account);
  if (account === undefined) {
    account = toMastodonAccount(post.account, site);
    accounts?.set(post.account, account);
  }
  const url = postUrl(publicUrl, post.account.username, post.id);
  return {
    id: post.id,
    // Without ActivityPub the post's page is its identity, as the profile page is the account's.
    uri: url,
    url,
    created_at: post.createdAt.toISOString(),
    edited_at: post.editedAt ? post.editedAt.toISOString() : null,
    account,
    content: absoluteLinks(post.contentHtml, publicUrl),
    visibility: post.visibility,
    sensitive: post.sensitive,
    spoiler_text: post.spoilerText,
    language: post.language,
    media_attachments: post.media.map((m) => toMastodonMediaAttachment(m, site)),
    mentions: post.mentions.map((m) => ({ id: m.id, username: m.username, url: profileUrl(publicUrl, m.username), acct: m.username })),
    tags: post.tags.map((name) => ({ name, url: tagUrl(publicUrl, name) })),
    emojis: [],
    reblogs_count: post.reblogsCount,
    favourites_count: post.favouritesCount,
    replies_count: post.repliesCount,
    quotes_count: 0,
    in_reply_to_id: post.inReplyToId,
    in_reply_to_account_id: post.inReplyToAccountId,
    // The app that posted; null for the website's posts and boosts.
    application: post.application,
    poll: null,
    card: null,
    favourited: post.favourited,
    reblogged: post.reblogged,
    muted: false,
    bookmarked: post.bookmarked,
    pinned: false,
    filtered: [],
    // Last, where the schema has it (statusEntity): the lists are written in the entity's own key order (plain-json.ts).
    reblog: post.reblog ? toMastodonStatus(post.reblog, site, accounts) : null,
  };
}

/** The DELETE answer: the Status and the text it was written as. */
export function toMastodonDeletedStatus(post: Post, site: SiteUrls): MastodonDeletedStatus {
  return { ...toMastodonStatus(post, site), text: post.text };
}

const statusProperties = {
  id: str,
  uri: str,
  url: orNull(str),
  created_at: str,
  edited_at: orNull(str),
  account: accountSchema,
  content: str,
  visibility: str,
  sensitive: bool,
  spoiler_text: str,
  language: orNull(str),
  media_attachments: arr(mediaAttachmentSchema),
  mentions: arr(obj({ id: str, username: str, url: str, acct: str })),
  tags: arr(obj({ name: str, url: str })),
  emojis: arr(anyObject),
  reblogs_count: int,
  favourites_count: int,
  replies_count: int,
  quotes_count: int,
  in_reply_to_id: orNull(str),
  in_reply_to_account_id: orNull(str),
  application: objOrNull({ name: str, website: orNull(str) }),
  poll: nul,
  card: nul,
  favourited: bool,
  reblogged: bool,
  muted: bool,
  bookmarked: bool,
  pinned: bool,
  filtered: arr(anyObject),
};

/** The Status a boost wraps: the same entity, whose own `reblog` is always null (a boost of a boost is the post). */
export const boostedStatusEntity = obj({ ...statusProperties, reblog: nul });

/** The Status entity (every key required: see schema.ts); added to the app in entities.ts. */
export const statusEntity = obj({ ...statusProperties, reblog: { anyOf: [ref('BoostedStatus'), nul] } });

/** The response schema of a Status: a reference to the entity. */
export const statusSchema = ref('Status');

/** The response schema of DELETE /api/v1/statuses/:id: a Status with its `text`. */
export const deletedStatusSchema = obj({ ...statusProperties, reblog: { anyOf: [ref('BoostedStatus'), nul] }, text: str });

/** The response schema of a list of statuses (timelines, bookmarks, favourites). */
export const statusListSchema = arr(statusSchema);

/** Every key a Status carries (tests check each is present). */
export const STATUS_KEYS = Object.keys(statusEntity.properties as Record<string, unknown>);
