// Dates and numbers as people read them on the page.

const FULL = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const SHORT = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const WITH_YEAR = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const MONTH_YEAR = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });
// Made once: `toLocaleString` builds a formatter on every call, several times per post card.
const COUNT = new Intl.NumberFormat('en');

/** "now", "5m", "3h", "Nov 3", "Nov 3, 2024": the compact age shown on a post. */
export function relativeTime(date: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 60) return 'now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)}d`;
  return new Date(now).getUTCFullYear() === date.getUTCFullYear() ? SHORT.format(date) : WITH_YEAR.format(date);
}

/** "Nov 22, 2026, 10:41 PM UTC": the full time, for titles. */
export function fullTime(date: Date): string {
  return `${FULL.format(date)} UTC`;
}

/** "November 2026": when someone joined. */
export function monthYear(date: Date): string {
  return MONTH_YEAR.format(date);
}

/** 1234 → "1,234". */
export function count(n: number): string {
  return COUNT.format(n);
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
