// Finding http(s) links in post text, in one linear pass.
//
// Home-made on purpose: twitter-text's URL patterns backtrack superlinearly (a 20,000-character
// `"a.".repeat(…)` or `"(a)".repeat(…)` post held the event loop for seconds) and stop a link at the
// first non-ASCII character of its path (`https://he.wikipedia.org/wiki/עברית`). The rules follow
// Mastodon's: a link starts with http:// or https:// not glued to a word, has a host with a top-level
// domain (or is localhost / an IPv4 address), runs to the next space, and gives back trailing
// punctuation and unbalanced closing brackets. Every pattern below is either anchored at a fixed
// position or made of classes that cannot overlap what follows, so no input makes them backtrack.

/** Longer links are refused with a clear message (twitter-text's own limit). */
export const MAX_URL_LENGTH = 4096;

export interface FoundLink {
  url: string;
  start: number;
  end: number;
}

const SCHEME = /https?:\/\//gi;
// A link may not be glued to a word or follow @#$ (`foohttp://`, `@http://`); nor follow a bidirectional
// override, as twitter-text refuses too, so a link cannot be disguised. (Checked on the one character
// before the scheme: a lookbehind with these classes made the whole search ten times slower.)
const NOT_BEFORE = /[\p{L}\p{N}_@＠$#＃\u202a-\u202e]$/u;
const HOST = /[\p{L}\p{N}\p{M}._-]+(?::\d{1,5})?/uy;
// After the host, a path, query or fragment runs to whitespace or a character that cannot be in a link.
const REST = /[/?#][^\s<>"\u202a-\u202e\u2066-\u2069「」『』]*/uy;
// Given back at the end: sentence punctuation, quotes, and brackets closing nothing in the link.
const TRAILING = new Set([...'.,:;!?*\'"…。、，！？']);
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Whether the host part (`example.com`, `localhost:3000`, `日本.jp`) names a real host. */
function isLinkHost(hostAndPort: string): boolean {
  const host = hostAndPort.replace(/:\d+$/, '').toLowerCase();
  if (host.length > 253 || host.startsWith('.') || host.includes('..')) return false;
  if (host === 'localhost' || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host)) return true;
  const dot = host.lastIndexOf('.');
  if (dot <= 0) return false;
  const tld = host.slice(dot + 1);
  return /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u.test(tld);
}

/** The end of a link once trailing punctuation and unbalanced closing brackets are given back. */
function trimEnd(text: string, start: number, end: number, hostEnd: number): number {
  const open: Record<string, number> = { '(': 0, '[': 0, '{': 0 };
  const close: Record<string, number> = { ')': 0, ']': 0, '}': 0 };
  for (let i = hostEnd; i < end; i++) {
    const c = text[i]!;
    if (c in open) open[c]! += 1;
    else if (c in close) close[c]! += 1;
  }
  while (end > hostEnd) {
    const c = text[end - 1]!;
    if (TRAILING.has(c)) end -= 1;
    else if (c in CLOSERS && close[c]! > open[CLOSERS[c]!]!) {
      close[c]! -= 1;
      end -= 1;
    } else break;
  }
  // A host ending in a dot is the end of a sentence: "see https://example.com."
  while (end > start && text[end - 1] === '.') end -= 1;
  return end;
}

/** Every http(s) link in the text, in order, with offsets into it (UTF-16, like String#slice). */
export function findLinks(text: string): FoundLink[] {
  const links: FoundLink[] = [];
  SCHEME.lastIndex = 0;
  for (let match = SCHEME.exec(text); match !== null; match = SCHEME.exec(text)) {
    const start = match.index;
    if (start > 0 && NOT_BEFORE.test(text.slice(Math.max(0, start - 2), start))) continue;
    HOST.lastIndex = SCHEME.lastIndex;
    const host = HOST.exec(text);
    if (!host || !isLinkHost(host[0].replace(/\.+$/, ''))) continue; // the search goes on after the scheme
    const hostEnd = HOST.lastIndex;
    REST.lastIndex = hostEnd;
    const rest = REST.exec(text);
    const end = trimEnd(text, start, rest ? REST.lastIndex : hostEnd, hostEnd);
    links.push({ url: text.slice(start, end), start, end });
    SCHEME.lastIndex = end;
  }
  return links;
}
