// Dates and numbers as people read them on the page.

const FULL = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const SHORT = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const WITH_YEAR = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const MONTH_YEAR = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });
// Made once: `toLocaleString` builds a formatter on every call, several times per post card.
const COUNT = new Intl.NumberFormat('en');

// Intl's format costs several µs a call, and a page of posts asks for a few dates per card. Each text
// below depends only on the minute, day or month of the date, so each is made once per minute, day or
// month and kept; a full cache starts over, so it stays small whatever dates pass through.
const CACHE_MAX = 4096;
const fullTimes = new Map<number, string>();
const shortDays = new Map<number, string>();
const daysWithYear = new Map<number, string>();
const months = new Map<number, string>();

/** `cache`'s text for `key`, made by `make` the first time. */
function memo(cache: Map<number, string>, key: number, make: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = make();
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, text);
  }
  return text;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** "now", "5m", "3h", "Nov 3", "Nov 3, 2024": the compact age shown on a post. */
export function relativeTime(date: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 60) return 'now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)}d`;
  const day = Math.floor(date.getTime() / DAY_MS);
  return new Date(now).getUTCFullYear() === date.getUTCFullYear()
    ? memo(shortDays, day, () => SHORT.format(date))
    : memo(daysWithYear, day, () => WITH_YEAR.format(date));
}

/** "Nov 22, 2026, 10:41 PM UTC": the full time, for titles. */
export function fullTime(date: Date): string {
  return memo(fullTimes, Math.floor(date.getTime() / MINUTE_MS), () => `${FULL.format(date)} UTC`);
}

/** "November 2026": when someone joined. */
export function monthYear(date: Date): string {
  return memo(months, date.getUTCFullYear() * 12 + date.getUTCMonth(), () => MONTH_YEAR.format(date));
}

/** 1234 → "1,234". */
export function count(n: number): string {
  // Most counts on a page are small whole numbers, which need no separator: the same text, without Intl.
  return Number.isInteger(n) && n >= 0 && n < 1000 ? String(n) : COUNT.format(n);
}

/** Bytes as people read them: "512 KB", "3.4 MB", "1.2 GB". */
export function byteSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${count(value)} ${value === 1 ? 'byte' : 'bytes'}`;
  return `${value < 10 ? value.toFixed(1) : count(Math.round(value))} ${units[unit]}`;
}

/** "1 post" / "2 posts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
