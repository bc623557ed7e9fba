// Reading HTML form fields: a body may be missing, a field may be repeated (qs makes an array) or
// absurdly long. Each read is bounded, so a hostile form cannot cost more than the limits allow.

export type FormBody = Record<string, unknown> | undefined | null;

/** A field as a string (first value if repeated), cut at `max` characters. */
export function formField(body: FormBody, name: string, max: number): string {
  let value = body?.[name];
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

// What a Location header may carry as is: visible ASCII without the backslash (which browsers read as
// a slash). Everything else is percent-encoded by the URL parser first.
const SAFE_PATH = /^\/[\x21-\x5b\x5d-\x7e]*$/;
const LOCAL_ORIGIN = 'http://pipit.invalid';

/**
 * A local path to return to after logging in, percent-encoded for a Location header; anything else
 * (other hosts, `//evil`, `/\evil`, schemes, over-long values) becomes `/`. Non-ASCII and control
 * characters made the redirect throw (a 500, after the session was made); the URL parser encodes them.
 */
export function safeReturnTo(value: string): string {
  if (value.length > 2000 || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (!URL.canParse(value, LOCAL_ORIGIN)) return '/';
  const url = new URL(value, LOCAL_ORIGIN);
  if (url.origin !== LOCAL_ORIGIN) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  return SAFE_PATH.test(path) && !path.startsWith('//') ? path : '/';
}
