// Snowflake ids: (unix milliseconds << 16) | 16-bit sequence, made by the database (see the first
// migration). These helpers parse and compare them as strings/bigints, never as JS numbers.

const MAX_INT8 = (1n << 63n) - 1n;
const DIGITS = /^[1-9][0-9]{0,18}$/;

/** True for a decimal string that can be a snowflake id (a positive signed 64-bit integer). */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && DIGITS.test(value) && BigInt(value) <= MAX_INT8;
}

/** The smallest id that could have been made at `time`: `max_id`/`min_id` from a date. */
export function idAtTime(time: Date): string {
  return (BigInt(time.getTime()) << 16n).toString();
}

/** When the id was made. */
export function timeOfId(id: string): Date {
  return new Date(Number(BigInt(id) >> 16n));
}

/** Orders ids as clients do: by length, then lexically (equivalent to numeric order). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
