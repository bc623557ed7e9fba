import { escapeHtml } from '../../../core/index.ts';

// A tagged template that escapes every interpolated value unless it is already SafeHtml. Templates stay
// plain TypeScript (type-checked, no build step, no template language to learn), and escaping is the
// default: forgetting to escape is impossible, opting out needs `raw()`.

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Value = SafeHtml | string | number | bigint | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Marks trusted markup (post HTML rendered and escaped by the core) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
