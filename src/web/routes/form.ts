// Reading HTML form fields: a body may be missing, a field may be repeated (qs makes an array) or
// absurdly long. Each read is bounded, so a hostile form cannot cost more than the limits allow.

export type FormBody = Record<string, unknown> | undefined | null;

/** A field as a string (first value if repeated), cut at `max` characters. */
export function formField(body: FormBody, name: string, max: number): string {
  let value = body?.[name];
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** A local path to return to after logging in; anything else (other hosts, `//evil`) becomes `/`. */
export function safeReturnTo(value: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(value) ? value : '/';
}
