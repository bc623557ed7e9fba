import { escapeHtml, mediaUrl, profilePath, type Account, type SiteUrls } from '../../../core/index.ts';
import { anyObject, arr, bool, int, nul, obj, orNull, ref, str } from './schema.ts';

// The Account entity (mastodon-api.md §3), every key present: strict decoders (Ice Cubes, Tusky) fail on
// a missing one. Images are absolute URLs: the account's uploaded pictures, else Pipit's default ones.

export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  locked: boolean;
  bot: boolean;
  group: boolean;
  discoverable: boolean | null;
  indexable: boolean;
  noindex: boolean | null;
  created_at: string;
  note: string;
  url: string;
  uri: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  followers_count: number;
  following_count: number;
  statuses_count: number;
  last_status_at: string | null;
  emojis: never[];
  fields: { name: string; value: string; verified_at: string | null }[];
  moved: null;
  suspended: boolean;
  limited: boolean;
  roles: never[];
}

export const DEFAULT_AVATAR_PATH = '/assets/avatar.png';
export const DEFAULT_HEADER_PATH = '/assets/header.png';

// A page of statuses shows the same few authors again and again (an account's own page: one author,
// twenty times), and rendering a bio was a visible part of serializing one; each is rendered once.
// Bounded: past this many different bios the memo starts over.
const renderedNotes = new Map<string, string>();
const MAX_RENDERED_NOTES = 1000;

/** A plain-text bio as Mastodon's HTML: escaped, paragraphs on blank lines, `<br>` on single breaks. */
export function noteHtml(note: string): string {
  let html = renderedNotes.get(note);
  if (html === undefined) {
    if (renderedNotes.size >= MAX_RENDERED_NOTES) renderedNotes.clear();
    html = renderNote(note);
    renderedNotes.set(note, html);
  }
  return html;
}

function renderNote(note: string): string {
  const text = note.trim();
  if (!text) return '';
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** A local account as the Mastodon API shows it (links against `site`: a Config). */
export function toMastodonAccount(account: Account, site: SiteUrls): MastodonAccount {
  const publicUrl = site.publicUrl;
  const url = `${publicUrl}${profilePath(account.username)}`;
  // Uploaded pictures are still WebP (never animated), so the static URL is the same file.
  const avatar = account.avatarKey ? mediaUrl(site, account.avatarKey) : `${publicUrl}${DEFAULT_AVATAR_PATH}`;
  const header = account.headerKey ? mediaUrl(site, account.headerKey) : `${publicUrl}${DEFAULT_HEADER_PATH}`;
  return {
    id: account.id,
    username: account.username,
    // Local accounts are bare usernames; an `@` would tell clients the account is remote.
    acct: account.username,
    display_name: account.displayName,
    locked: account.locked,
    bot: account.bot,
    group: false,
    discoverable: account.discoverable,
    indexable: false,
    noindex: false,
    created_at: account.createdAt.toISOString(),
    note: noteHtml(account.note),
    url,
    // Without ActivityPub the profile page is the account's identity.
    uri: url,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    followers_count: account.followersCount,
    following_count: account.followingCount,
    statuses_count: account.statusesCount,
    // A date only, as Mastodon sends it.
    last_status_at: account.lastStatusAt ? account.lastStatusAt.toISOString().slice(0, 10) : null,
    emojis: [],
    fields: [],
    moved: null,
    suspended: false,
    limited: false,
    roles: [],
  };
}

/** The Account's properties (every key required: see schema.ts); the entity is added in entities.ts. */
export const accountProperties = {
  id: str,
  username: str,
  acct: str,
  display_name: str,
  locked: bool,
  bot: bool,
  group: bool,
  discoverable: orNull(bool),
  indexable: bool,
  noindex: orNull(bool),
  created_at: str,
  note: str,
  url: str,
  uri: str,
  avatar: str,
  avatar_static: str,
  header: str,
  header_static: str,
  followers_count: int,
  following_count: int,
  statuses_count: int,
  last_status_at: orNull(str),
  emojis: arr(anyObject),
  fields: arr(obj({ name: str, value: str, verified_at: orNull(str) })),
  moved: nul,
  suspended: bool,
  limited: bool,
  roles: arr(anyObject),
};

/** The response schema of an Account: a reference to the entity. */
export const accountSchema = ref('Account');
