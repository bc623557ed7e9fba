import { Invalid } from '../domain/errors.ts';

// Pure helpers about UTC days, apart from daily-stats.ts: buildCore binds every function of a use-case
// module to the database, and these take none.

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const MS_PER_DAY = 86_400_000;

/** Checks a `YYYY-MM-DD` date (throws Invalid naming `field`). */
export function parseDay(value: string, field = 'day'): string {
  const day = String(value).trim();
  if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new Invalid(`${field} must be a date written YYYY-MM-DD, such as 2026-01-31.`, field);
  }
  return day;
}

/** The day before `date`, in UTC. */
export function previousDay(date: Date = new Date()): string {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - MS_PER_DAY).toISOString().slice(0, 10);
}
