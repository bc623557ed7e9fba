import type { FastifyReply, FastifyRequest } from 'fastify';

// The `Link` header of a paged list (mastodon-api.md §2): `next` goes older (max_id = the last item),
// `prev` goes newer (min_id = the first). Absolute URLs on PUBLIC_URL, keeping every other parameter
// of the request (limit, types[], only_media …). masto.js stops paging without it; Tusky reads `prev`.

const BOUNDS = new Set(['max_id', 'min_id', 'since_id']);

// A path of plain segments and no query string (a first page, the common call) is its own pathname,
// and an id of digits needs no escaping: no URL to parse, the same link.
const PLAIN_PATH = /^\/(?!\/)[\w\-/]*$/;
const DIGITS = /^\d+$/;

/** The URL of the same list with `bound` = `id`, every other parameter kept (bounds replaced). */
export function pageUrl(publicUrl: string, requestUrl: string, bound: 'max_id' | 'min_id', id: string): string {
  if (PLAIN_PATH.test(requestUrl) && DIGITS.test(id)) return `${publicUrl}${requestUrl}?${bound}=${id}`;
  const url = new URL(requestUrl, 'http://placeholder');
  const params = new URLSearchParams();
  for (const [name, value] of url.searchParams) {
    // The token does not go into a link a client may log or share.
    if (!BOUNDS.has(name) && name !== 'access_token') params.append(name, value);
  }
  params.append(bound, id);
  return `${publicUrl}${url.pathname}?${params.toString()}`;
}

/** The Link header value for a page whose newest item has `firstId` and oldest `lastId`. */
export function linkHeader(publicUrl: string, requestUrl: string, firstId: string, lastId: string): string {
  return `<${pageUrl(publicUrl, requestUrl, 'max_id', lastId)}>; rel="next", <${pageUrl(publicUrl, requestUrl, 'min_id', firstId)}>; rel="prev"`;
}

/**
 * Sets `Link` for a page of `items` (newest first), when it is not empty. `idOf` gives the paging id of
 * an item: the item's own id by default; account lists page by the row id of the follow or favourite.
 */
export function setPageLinks<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string,
  items: readonly T[],
  idOf: (item: T) => string = (item) => (item as { id: string }).id,
): void {
  if (items.length === 0) return;
  reply.header('Link', linkHeader(publicUrl, request.url, idOf(items[0]!), idOf(items[items.length - 1]!)));
}
