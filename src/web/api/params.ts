import { Invalid, NotFound, isId } from '../../core/index.ts';

// Parameters as clients send them: booleans in any of the spellings apps use (Ivory sends
// `exclude_reblogs=1`, Elk `force_login=false`), limits clamped rather than refused (Mastodon does),
// ids that are no id answered as a record that does not exist (Mastodon's 404).

const TRUE = new Set(['true', '1', 'on', 'yes', 't']);
const FALSE = new Set(['false', '0', 'off', 'no', 'f']);

/**
 * A lenient boolean: true/false/1/0/on/off/yes/no/t/f in any case (or a JSON boolean or 0/1);
 * `undefined` when absent or empty; Invalid naming `name` for anything else.
 */
export function parseBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE.has(word)) return true;
    if (FALSE.has(word)) return false;
  }
  throw new Invalid(`${name} must be true or false.`, name);
}

/** parseBoolean with a default for an absent value. */
export function booleanParam(value: unknown, name: string, fallback: boolean): boolean {
  return parseBoolean(value, name) ?? fallback;
}

export interface LimitRule {
  default: number;
  max: number;
}

/** Page sizes by what is listed: the default, and at most twice it (mastodon-api.md §2). */
export const PAGE_LIMITS = {
  statuses: { default: 20, max: 40 },
  accounts: { default: 40, max: 80 },
  notifications: { default: 40, max: 80 },
} as const satisfies Record<string, LimitRule>;

/** `limit` clamped to 1…max; the default when absent or not a number. */
export function clampLimit(value: unknown, rule: LimitRule): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return rule.default;
  return Math.min(Math.max(Math.abs(Math.trunc(n)), 1), rule.max);
}

/** An id from a path or parameter; anything that cannot be an id is a record that does not exist (404). */
export function requireId(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (!isId(value)) throw new NotFound();
  return value;
}

/** An optional id parameter (paging bounds): absent or empty is undefined; malformed is Invalid naming `name`. */
export function optionalId(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (!isId(value)) throw new Invalid(`${name} must be an id (digits).`, name);
  return value;
}

export interface PagingParams {
  maxId: string | undefined;
  sinceId: string | undefined;
  minId: string | undefined;
  limit: number;
}

/** `max_id`, `since_id`, `min_id` and `limit` of a list request (the core's PageRequest shape). */
export function readPaging(query: Record<string, unknown> | undefined, rule: LimitRule): PagingParams {
  const q = query ?? {};
  return {
    maxId: optionalId(q.max_id, 'max_id'),
    sinceId: optionalId(q.since_id, 'since_id'),
    minId: optionalId(q.min_id, 'min_id'),
    limit: clampLimit(q.limit, rule),
  };
}

/** A parameter that may come as one value or a list (`id=1` or `id[]=1&id[]=2`), as strings, at most `max`. */
export function listParam(value: unknown, name: string, max = 100): string[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : [value];
  if (list.length > max) throw new Invalid(`${name} may list at most ${max} values.`, name);
  return list.map((v) => String(v));
}

/** A 400 naming a required parameter that is missing (Mastodon's answer for one). */
export function missingParameter(name: string): Error {
  return Object.assign(new Error(`${name} is missing: this call needs it.`), { statusCode: 400 });
}

/** `offset` (search): a whole number clamped to 0…max, 0 when absent or not a number. */
export function clampOffset(value: unknown, max = 10_000): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return 0;
  return Math.min(Math.max(Math.trunc(n), 0), max);
}

/** An optional text parameter: undefined when absent; a string (a number as its digits); anything else is Invalid. */
export function textParam(value: unknown, name: string, max = 10_000): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw new Invalid(`${name} must be text.`, name);
  if (value.length > max) throw new Invalid(`${name} is too long (at most ${max} characters).`, name);
  return value;
}
