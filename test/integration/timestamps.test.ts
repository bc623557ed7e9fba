import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { parseTimestamptz, TIMESTAMPTZ_OID } from '../../src/core/db/timestamps.ts';

// The pool reads timestamptz with parseTimestamptz (src/core/db/timestamps.ts) instead of pg's own
// parser: it must give the very same value for every text PostgreSQL may send.
const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number | null;

function same(text: string): void {
  const ours = parseTimestamptz(text);
  const theirs = pgParse(text);
  if (theirs instanceof Date) {
    assert.ok(ours instanceof Date, text);
    assert.ok(Object.is(ours.getTime(), theirs.getTime()), `${text}: ${ours.getTime()} ≠ ${theirs.getTime()}`);
  } else {
    assert.deepEqual(ours, theirs, text);
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('parseTimestamptz', () => {
  it('gives what pg gives for the forms PostgreSQL sends', () => {
    for (const text of [
      '2026-11-26 08:22:32.123456+00',
      '2026-11-26 08:22:32+00',
      '2026-11-26 08:22:32.5+05:30',
      '2026-11-26 08:22:32.000001-03',
      '1970-01-01 00:00:00+00',
      '1883-11-18 12:03:58-04:56:02',
      '2000-02-29 23:59:59.999999+14',
      '2026-02-31 25:61:61+00',
      'infinity',
      '-infinity',
      '0099-01-01 00:00:00+00',
      '0001-01-01 00:00:00+00 BC',
      '12026-01-01 00:00:00+00',
      '2026-11-26T08:22:32Z',
      '2026-11-26 08:22:32.+00',
      '2026-11-26 08:22:32+0',
    ]) {
      same(text);
    }
  });

  it('gives what pg gives for every fraction of a second and offsets all round the clock', () => {
    for (let micro = 0; micro < 1_000_000; micro += 997) {
      const fraction = String(micro).padStart(6, '0');
      for (const digits of [1, 3, 6]) same(`2026-11-26 08:22:32.${fraction.slice(0, digits)}+00`);
    }
    for (let minutes = -12 * 60; minutes <= 14 * 60; minutes += 15) {
      const sign = minutes < 0 ? '-' : '+';
      const abs = Math.abs(minutes);
      same(`1999-12-31 23:59:59.75${sign}${pad(Math.floor(abs / 60))}${abs % 60 ? `:${pad(abs % 60)}` : ''}`);
    }
    for (let year = 1000; year <= 9999; year += 37) same(`${year}-${pad((year % 12) + 1)}-${pad((year % 28) + 1)} ${pad(year % 24)}:${pad(year % 60)}:${pad((year * 7) % 60)}.${year}+00`);
  });
});
