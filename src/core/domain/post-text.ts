import { createRequire } from 'node:module';
import type TwitterText from 'twitter-text';
import { escapeHtml } from './html.ts';
import { findLinks, type FoundLink } from './post-links.ts';
import { profilePath, tagPath } from '../urls.ts';

// Post text is parsed in linear time whatever its shape: links by our own scanner (post-links.ts),
// then mentions and hashtags by twitter-text with the links blanked out, so its patterns only ever see
// short words. It is then rendered to HTML by us: every piece of user text is escaped, and only our own
// <a>/<p>/<br>/<span> markup is produced, so nothing a user types can become markup.

const USERNAME_MAX = 30;
const USERNAME_CHAR = /[A-Za-z0-9_]/;
/** The longest hashtag (in characters, once normalised) that is linked and stored, as the database allows. */
export const TAG_MAX = 100;
// twitter-text stops a screen name at 20 characters (Twitter's rule); ours may have 30, and it does not
// know Mastodon's `@user@domain` form. These cover the difference.
// The host may not end in a dot, so `@user@host.` at the end of a sentence is still a mention.
const FULL_HANDLE = /(?<![\w@])@([A-Za-z0-9_]{1,30})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?)/g;

/** Every link counts as this many characters, however long (Mastodon's and Twitter's rule). */
export const URL_LENGTH = 23;
/** Raw text may be this many times the post length, for long links; beyond it, nothing is parsed. */
export const RAW_FACTOR = 40;

type Entity =
  | { kind: 'mention'; username: string; start: number; end: number }
  | { kind: 'tag'; tag: string; start: number; end: number }
  | { kind: 'url'; url: string; start: number; end: number };

export interface ParsedPostText {
  /** The length as people count it (URLs as 23). */
  length: number;
  /** Lower-case usernames of local-looking mentions, each once, in order of appearance. */
  mentions: string[];
  /** Lower-case hashtags, each once. */
  tags: string[];
  entities: Entity[];
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PRINTABLE_ASCII = /^[\x20-\x7e\t\n]*$/;

/** Characters as people see them: grapheme clusters, so an emoji sequence or an accented letter is 1. */
function graphemes(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length; // the common case, without the segmenter's cost
  let count = 0;
  for (const _ of segmenter.segment(text)) count += 1;
  return count;
}

function lengthWithLinks(text: string, links: readonly FoundLink[]): number {
  let length = 0;
  let cursor = 0;
  for (const link of links) {
    length += graphemes(text.slice(cursor, link.start)) + URL_LENGTH;
    cursor = link.end;
  }
  return length + graphemes(text.slice(cursor));
}

/**
 * The length of post text as people see it, like Mastodon: grapheme clusters, each http(s) link as 23.
 * Bare domains ("README.md", "a.io") are not links and count as the characters they are. Linear time.
 */
export function postLength(text: string): number {
  return lengthWithLinks(text, findLinks(text));
}

/** Lower-cases a hashtag; tags compare case-insensitively. */
export function normalizeTag(tag: string): string {
  return tag.normalize('NFC').toLowerCase();
}

/** The text with every link replaced by `&`s: offsets stay, and no mention or hashtag can start after `&`. */
function blankLinks(text: string, links: readonly FoundLink[]): string {
  let out = '';
  let cursor = 0;
  for (const link of links) {
    out += text.slice(cursor, link.start) + '&'.repeat(link.end - link.start);
    cursor = link.end;
  }
  return out + text.slice(cursor);
}

type RawTag = { hashtag: string; indices: [number, number] };
type RawMention = { screenName: string; listSlug: string; indices: [number, number] };
interface Extractors {
  // twitter-text's typings omit the options argument.
  hashtags: (text: string, options: { checkUrlOverlap: boolean }) => RawTag[];
  mentions: (text: string) => RawMention[];
}

// twitter-text brings core-js and its emoji tables (~20 MB resident, ~0.1 s): loaded when the first post
// is parsed (a synchronous require, as parsing is synchronous), not at the start of every process.
const require = createRequire(import.meta.url);
let extractors: Extractors | undefined;
function twitterText(): Extractors {
  if (!extractors) {
    const library = require('twitter-text') as typeof TwitterText;
    extractors = {
      hashtags: library.extractHashtagsWithIndices as Extractors['hashtags'],
      mentions: library.extractMentionsOrListsWithIndices as Extractors['mentions'],
    };
  }
  return extractors;
}

/**
 * Finds mentions, hashtags and links in post text.
 * @param localHost the host (with port) of this server: `@user@localHost` is a local mention; other
 *   domains are not resolved (no federation) and stay plain text.
 */
export function parsePostText(text: string, localHost: string): ParsedPostText {
  const links = findLinks(text);
  const entities: Entity[] = links.map((l) => ({ kind: 'url', url: l.url, start: l.start, end: l.end }));
  const words = blankLinks(text, links);
  const extract = twitterText();
  for (const e of extract.mentions(words)) {
    if (e.listSlug) continue;
    const [start, end] = e.indices;
    let stop = end;
    while (stop < words.length && stop - start - 1 < USERNAME_MAX && USERNAME_CHAR.test(words[stop]!)) stop += 1;
    if (words[stop] === '@' || (stop < words.length && USERNAME_CHAR.test(words[stop]!))) continue; // a remote handle or too long
    entities.push({ kind: 'mention', username: words.slice(start + 1, stop).toLowerCase(), start, end: stop });
  }
  for (const e of extract.hashtags(words, { checkUrlOverlap: false })) {
    // Like Mastodon, an over-long tag is not a tag: it stays plain text, neither linked nor stored.
    if ([...normalizeTag(e.hashtag)].length > TAG_MAX) continue;
    entities.push({ kind: 'tag', tag: e.hashtag, start: e.indices[0], end: e.indices[1] });
  }
  for (const match of words.matchAll(FULL_HANDLE)) {
    if (match[2]!.toLowerCase() !== localHost.toLowerCase()) continue;
    const start = match.index;
    const end = start + match[0].length;
    if (entities.some((e) => e.start < end && start < e.end)) continue;
    entities.push({ kind: 'mention', username: match[1]!.toLowerCase(), start, end });
  }
  entities.sort((a, b) => a.start - b.start);
  const unique = (values: string[]) => [...new Set(values)];
  return {
    length: lengthWithLinks(text, links),
    mentions: unique(entities.flatMap((e) => (e.kind === 'mention' ? [e.username] : []))),
    tags: unique(entities.flatMap((e) => (e.kind === 'tag' ? [normalizeTag(e.tag)] : []))),
    entities,
  };
}

/** A link's visible text, Mastodon-style: no scheme, the middle of long URLs hidden. */
function renderUrlText(url: string): string {
  const match = /^(https?:\/\/(?:www\.)?)(.*)$/i.exec(url)!;
  const [, scheme, rest] = match as unknown as [string, string, string];
  const shown = rest.slice(0, 30);
  const hidden = rest.slice(30);
  return (
    `<span class="invisible">${escapeHtml(scheme)}</span>` +
    `<span class="${hidden ? 'ellipsis' : ''}">${escapeHtml(shown)}</span>` +
    `<span class="invisible">${escapeHtml(hidden)}</span>`
  );
}

/** Escapes plain text and turns line breaks into <br> (paragraphs are split by the caller). */
function renderPlain(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

export interface RenderOptions {
  /** Lower-case usernames that exist: only these mentions become links. */
  knownUsernames: ReadonlySet<string>;
}

/**
 * Renders post text to safe HTML: paragraphs, line breaks, and links for mentions, tags and URLs.
 * Links to local pages are root-relative (urls.ts): the stored HTML does not depend on PUBLIC_URL.
 */
export function renderPostHtml(text: string, parsed: ParsedPostText, options: RenderOptions): string {
  let html = '';
  let cursor = 0;
  for (const e of parsed.entities) {
    html += renderPlain(text.slice(cursor, e.start));
    const raw = text.slice(e.start, e.end);
    if (e.kind === 'mention' && options.knownUsernames.has(e.username)) {
      const href = profilePath(e.username);
      html += `<span class="h-card"><a href="${escapeHtml(href)}" class="u-url mention">@<span>${escapeHtml(e.username)}</span></a></span>`;
    } else if (e.kind === 'tag') {
      const href = tagPath(normalizeTag(e.tag));
      html += `<a href="${escapeHtml(href)}" class="mention hashtag" rel="tag">#<span>${escapeHtml(e.tag)}</span></a>`;
    } else if (e.kind === 'url') {
      html += `<a href="${escapeHtml(e.url)}" rel="nofollow noopener noreferrer" target="_blank">${renderUrlText(e.url)}</a>`;
    } else {
      html += renderPlain(raw);
    }
    cursor = e.end;
  }
  html += renderPlain(text.slice(cursor));
  // Blank lines separate paragraphs; an entity never spans one, so splitting the HTML is safe.
  return html
    .split(/(?:<br>){2,}/)
    .map((p) => `<p>${p}</p>`)
    .join('');
}
