// Which redirect URIs an OAuth app may register. Mastodon accepts any absolute URI — native apps use
// their own schemes (`oauth2redirect://…`, `com.tapbots.Ivory.19300:/request_token`) and
// `urn:ietf:wg:oauth:2.0:oob` asks for the code on a page — and refuses only the schemes that run code
// in a browser. Matching at authorization is exact, character for character (never normalised).

/** The redirect URI that asks for the code to be shown on a page instead of sent anywhere. */
export const OOB_REDIRECT_URI = 'urn:ietf:wg:oauth:2.0:oob';

export const MAX_REDIRECT_URIS = 10;
export const MAX_REDIRECT_URI_LENGTH = 2000;

const FORBIDDEN_SCHEMES = new Set(['javascript', 'data', 'vbscript']);
// RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":" and something.
const ABSOLUTE_URI = /^([A-Za-z][A-Za-z0-9+.-]*):\S+$/;

/** Why `uri` cannot be registered, or `undefined` when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `a redirect URI is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  // A URI is printable ASCII (RFC 3986); anything else would corrupt or break the Location header.
  if (!/^[\x21-\x7e]+$/.test(uri)) return `${shorten(uri)} contains spaces, control or non-ASCII characters (percent-encode them)`;
  const scheme = ABSOLUTE_URI.exec(uri)?.[1];
  if (!scheme || !URL.canParse(uri)) return `${shorten(uri)} is not an absolute URI (it needs a scheme, such as https://)`;
  if (FORBIDDEN_SCHEMES.has(scheme.toLowerCase())) return `the ${scheme.toLowerCase()}: scheme cannot be a redirect URI`;
  if (uri.includes('#')) return 'a redirect URI cannot contain a fragment (#)';
  return undefined;
}

function shorten(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

/** Redirect URIs as clients send them: one string, a newline-separated string, or an array of either. */
export function splitRedirectUris(value: string | readonly string[]): string[] {
  const parts = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(/\r?\n/));
  return [...new Set(parts.map((p) => p.trim()).filter((p) => p !== ''))];
}

/**
 * `uri` with the parameters added to its query, the rest kept exactly as registered (a URL parser
 * would lower-case a custom scheme such as `com.tapbots.Ivory.19300:`, which the app may not expect).
 */
export function withQueryParameters(uri: string, parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) if (value !== undefined) query.set(key, value);
  const q = query.toString();
  if (q === '') return uri;
  return `${uri}${uri.includes('?') ? (uri.endsWith('?') || uri.endsWith('&') ? '' : '&') : '?'}${q}`;
}
