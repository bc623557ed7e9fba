import pg from 'pg';

// `timestamptz` values from PostgreSQL (the `pg` pool) as Dates, as pg's own parser (the
// postgres-date package) makes them, only faster for the one form our server sends: an API page of
// 20 posts holds some 60–80 of them, and that parser's regular expressions were ~3 % of the call's
// CPU. The fast path reads `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]` (DateStyle ISO, a four-digit
// year from 1000) digit by digit; anything else — infinity, BC, years before 1000 or after 9999,
// another DateStyle — goes to postgres-date itself. The fraction is read exactly as postgres-date
// reads it (1000 × parseFloat, truncated by Date.UTC), so both give the same Date for every text
// (test/unit/timestamps.test.ts compares them).

export const TIMESTAMPTZ_OID = 1184;
/** pg's own parser of a `timestamptz` (postgres-date), for every text the fast path does not read. */
const parseDate = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

/** The number of the two digits at `i`, or -1 when they are not two digits. */
function two(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** A `timestamptz` as pg's parser gives it: a Date (or ±Infinity for infinity), by the fast path when it can. */
export function parseTimestamptz(text: string): Date | number | null {
  const n = text.length;
  const century = two(text, 0);
  const yy = two(text, 2);
  if (n < 22 || century < 10 || yy < 0 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return parseDate(text);
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return parseDate(text);
  let i = 19;
  let ms = 0;
  if (text[i] === '.') {
    let j = i + 1;
    while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    if (j === i + 1) return parseDate(text);
    ms = 1000 * parseFloat(text.slice(i, j));
    i = j;
  }
  const sign = text[i] === '+' ? 1 : text[i] === '-' ? -1 : 0;
  const rest = n - i;
  if (sign === 0 || (rest !== 3 && rest !== 6 && rest !== 9)) return parseDate(text);
  const offsetHours = two(text, i + 1);
  const offsetMinutes = rest >= 6 ? (text[i + 3] === ':' ? two(text, i + 4) : -1) : 0;
  const offsetSeconds = rest === 9 ? (text[i + 6] === ':' ? two(text, i + 7) : -1) : 0;
  if (offsetHours < 0 || offsetMinutes < 0 || offsetSeconds < 0) return parseDate(text);
  const offsetMs = sign * (offsetHours * 3600 + offsetMinutes * 60 + offsetSeconds) * 1000;
  return new Date(Date.UTC(century * 100 + yy, month - 1, day, hour, minute, second, ms) - offsetMs);
}
