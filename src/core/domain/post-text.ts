import twitterText from 'twitter-text';
import { escapeHtml } from './html.ts';

// Post text is parsed by twitter-text (mentions, hashtags, URLs, and the length people see), then
// rendered to HTML by us: every piece of user text is escaped, and only our own <a>/<p>/<br>/<span>
// markup is produced, so nothing a user types can become markup.

const USERNAME_MAX = 30;
const USERNAME_CHAR = /[A-Za-z0-9_]/;
// twitter-text stops a screen name at 20 characters (Twitter's rule); ours may have 30, and it does not
// know Mastodon's `@user@domain` form. These cover the difference.
// The host may not end in a dot, so `@user@host.` at the end of a sentence is still a mention.
const FULL_HANDLE = /(?<![\w@])@([A-Za-z0-9_]{1,30})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?)/g;

/** Counts like Mastodon: each character (an emoji sequence too) is 1, each URL 23. */
const LENGTH_CONFIG = {
  version: 3,
  maxWeightedTweetLength: 1_000_000,
  scale: 100,
  defaultWeight: 100,
  emojiParsingEnabled: true,
  transformedURLLength: 23,
  ranges: [],
};

// twitter-text's own typings omit the options argument and the list fields it returns.
type RawEntity = { indices: [number, number]; screenName?: string; listSlug?: string; hashtag?: string; url?: string };

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

/** The length of post text as people see it (twitter-text's weighted length, URLs as 23). */
export function postLength(text: string): number {
  const normalized = text.normalize('NFC');
  let length = twitterText.parseTweet(normalized, LENGTH_CONFIG).weightedLength;
  // parseTweet also counts bare domains ("README.md", "a.io") as 23; like Mastodon, and like the
  // renderer, which links only http(s) URLs, those count as the characters they are.
  for (const { url } of twitterText.extractUrlsWithIndices(normalized)) {
    if (!/^https?:\/\//i.test(url)) length += [...url].length - LENGTH_CONFIG.transformedURLLength;
  }
  return length;
}

/** Lower-cases a hashtag; tags compare case-insensitively. */
export function normalizeTag(tag: string): string {
  return tag.normalize('NFC').toLowerCase();
}

/**
 * Finds mentions, hashtags and links in post text.
 * @param localHost the host (with port) of this server: `@user@localHost` is a local mention; other
 *   domains are not resolved (no federation) and stay plain text.
 */
export function parsePostText(text: string, localHost: string): ParsedPostText {
  const entities: Entity[] = [];
  for (const e of (twitterText.extractEntitiesWithIndices as (text: string, options: object) => RawEntity[])(text, { extractUrlsWithoutProtocol: false })) {
    const [start, end] = e.indices;
    if (e.screenName && !e.listSlug) {
      let stop = end;
      while (stop < text.length && stop - start - 1 < USERNAME_MAX && USERNAME_CHAR.test(text[stop]!)) stop += 1;
      if (text[stop] === '@' || (stop < text.length && USERNAME_CHAR.test(text[stop]!))) continue; // a remote handle or too long
      entities.push({ kind: 'mention', username: text.slice(start + 1, stop).toLowerCase(), start, end: stop });
    } else if (e.hashtag) {
      entities.push({ kind: 'tag', tag: e.hashtag, start, end });
    } else if (e.url && /^https?:\/\//i.test(e.url)) {
      entities.push({ kind: 'url', url: e.url, start, end });
    }
  }
  for (const match of text.matchAll(FULL_HANDLE)) {
    if (match[2]!.toLowerCase() !== localHost.toLowerCase()) continue;
    const start = match.index;
    const end = start + match[0].length;
    if (entities.some((e) => e.start < end && start < e.end)) continue;
    entities.push({ kind: 'mention', username: match[1]!.toLowerCase(), start, end });
  }
  entities.sort((a, b) => a.start - b.start);
  const unique = (values: string[]) => [...new Set(values)];
  return {
    length: postLength(text),
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
  /** Absolute base URL for profile and tag links. */
  baseUrl: string;
  /** Lower-case usernames that exist: only these mentions become links. */
  knownUsernames: ReadonlySet<string>;
}

/** Renders post text to safe HTML: paragraphs, line breaks, and links for mentions, tags and URLs. */
export function renderPostHtml(text: string, parsed: ParsedPostText, options: RenderOptions): string {
  let html = '';
  let cursor = 0;
  for (const e of parsed.entities) {
    html += renderPlain(text.slice(cursor, e.start));
    const raw = text.slice(e.start, e.end);
    if (e.kind === 'mention' && options.knownUsernames.has(e.username)) {
      const href = `${options.baseUrl}/@${e.username}`;
      html += `<span class="h-card"><a href="${escapeHtml(href)}" class="u-url mention">@<span>${escapeHtml(e.username)}</span></a></span>`;
    } else if (e.kind === 'tag') {
      const href = `${options.baseUrl}/tags/${encodeURIComponent(normalizeTag(e.tag))}`;
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
