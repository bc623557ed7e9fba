// Links to local pages. Stored HTML (a post's content) holds them root-relative, so it stays right when
// PUBLIC_URL changes; what leaves the site (API JSON, feeds, email) makes them absolute with
// `absoluteLinks`, against the PUBLIC_URL of the moment.

/** The path of a profile page. */
export function profilePath(username: string): string {
  return `/@${username}`;
}

/** The path of a post's page. */
export function postPath(username: string, postId: string): string {
  return `${profilePath(username)}/${postId}`;
}

/** A profile's absolute URL (`publicUrl` without trailing slash). */
export function profileUrl(publicUrl: string, username: string): string {
  return `${publicUrl}${profilePath(username)}`;
}

/** A post's absolute URL. */
export function postUrl(publicUrl: string, username: string, postId: string): string {
  return `${publicUrl}${postPath(username, postId)}`;
}

/** A tag page's absolute URL. */
export function tagUrl(publicUrl: string, tag: string): string {
  return `${publicUrl}${tagPath(tag)}`;
}

/** The path of a tag's page (the tag as stored: normalised, lower-case). */
export function tagPath(tag: string): string {
  return `/tags/${encodeURIComponent(tag)}`;
}

// Our own markup only: user text is escaped, so `href="/` cannot come from what someone typed, and
// links to other sites are always absolute. `//host` (protocol-relative) is not a local path.
const LOCAL_HREF = 'href="/';
const SLASH = 47;

/** `html` with every root-relative link made absolute against `publicUrl` (no trailing slash). */
export function absoluteLinks(html: string, publicUrl: string): string {
  // indexOf rather than a global replace with a callback: every status of an API page goes through
  // here, and most hold no link at all.
  let at = html.indexOf(LOCAL_HREF);
  if (at === -1) return html;
  let out = '';
  let from = 0;
  while (at !== -1) {
    const path = at + LOCAL_HREF.length - 1;
    if (html.charCodeAt(path + 1) !== SLASH) {
      out += html.slice(from, path) + publicUrl;
      from = path;
    }
    at = html.indexOf(LOCAL_HREF, path + 1);
  }
  return out + html.slice(from);
}

/**
 * The site-relative path of a stored media file, served by Pipit under /media (from whichever storage;
 * with MEDIA_PUBLIC_URL set, a permanent redirect there). The website's pages use it.
 */
export function mediaPath(key: string): string {
  return `/media/${key}`;
}

/** What absolute links are made from: the site's address, and where browsers fetch stored media (a Config is one). */
export interface SiteUrls {
  readonly publicUrl: string;
  /** Pipit's own `<publicUrl>/media`, or MEDIA_PUBLIC_URL (the store itself or a CDN), without a trailing slash. */
  readonly mediaBaseUrl: string;
}

/** Where a browser (or an API client) fetches a stored media file. */
export function mediaUrl(site: SiteUrls, key: string): string {
  return `${site.mediaBaseUrl}/${key}`;
}
