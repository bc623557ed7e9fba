import { Invalid } from '../domain/errors.ts';

/** `"x,y"` → numbers in [-1, 1]; anything else is refused naming the field. */
export function parseFocus(focus: string | undefined): { x: number; y: number } | undefined {
  if (focus === undefined || focus.trim() === '') return undefined;
  const parts = focus.split(',');
  const numbers = parts.map((p) => (/^\s*-?\d+(\.\d+)?\s*$/.test(p) ? Number(p) : NaN));
  if (numbers.length !== 2 || numbers.some((n) => !Number.isFinite(n) || n < -1 || n > 1)) {
    throw new Invalid('focus must be two numbers from -1 to 1, as "x,y" (for example "0.5,-0.25").', 'focus');
  }
  return { x: numbers[0]!, y: numbers[1]! };
}
