import type { ListPage } from '../views/components.ts';

// Paged lists on the website: `?max_id=` reads toward older items, `?min_id=` toward newer ones.
// One row more than a page is read, so the page knows whether an "Older" or "Newer" link leads anywhere.

export interface PagingQuery {
  max_id?: string;
  min_id?: string;
}

export const pagingSchema = {
  querystring: {
    type: 'object',
    properties: { max_id: { type: 'string', pattern: '^[0-9]{1,19}$' }, min_id: { type: 'string', pattern: '^[0-9]{1,19}$' } },
  },
} as const;

export interface Bounds {
  maxId?: string;
  minId?: string;
}

/** The bounds a query asks for (one of them; max_id wins). */
export function boundsOf(query: PagingQuery): Bounds {
  if (query.max_id) return { maxId: query.max_id };
  if (query.min_id) return { minId: query.min_id };
  return {};
}


/** Reads one page (newest first) through `read(bounds, limit)`, with one extra row to know what lies beyond. */
export async function readPageOf<T>(bounds: Bounds, pageSize: number, read: (bounds: Bounds, limit: number) => Promise<T[]>): Promise<ListPage<T>> {
  const rows = await read(bounds, pageSize + 1);
  const more = rows.length > pageSize;
  // Going up (min_id), the extra row is the newest one; going down, the oldest.
  if (bounds.minId) return { items: more ? rows.slice(1) : rows, bounds, hasNewer: more, hasOlder: true };
  return { items: rows.slice(0, pageSize), bounds, hasNewer: bounds.maxId !== undefined, hasOlder: more };
}
