import { isId } from '../domain/ids.ts';
import { Invalid } from '../domain/errors.ts';

/** Mastodon-style paging: ids are exclusive bounds; `minId` asks for the page just newer than it. */
export interface PageRequest {
  maxId?: string | undefined;
  sinceId?: string | undefined;
  minId?: string | undefined;
  limit?: number | undefined;
}

export interface PageBounds {
  maxId: string | undefined;
  sinceId: string | undefined;
  minId: string | undefined;
  limit: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 40;

/** Validates ids and clamps the limit to 1…max (Mastodon clamps rather than rejects). */
export function pageBounds(page: PageRequest = {}, defaults = { limit: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE }): PageBounds {
  for (const key of ['maxId', 'sinceId', 'minId'] as const) {
    const value = page[key];
    if (value !== undefined && !isId(value)) throw new Invalid(`${key} must be a post id.`, key);
  }
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? defaults.limit) || defaults.limit, 1), defaults.max);
  return { maxId: page.maxId, sinceId: page.sinceId, minId: page.minId, limit };
}
