/**
 * A percent-encoded part of an address (a path taken from a URL a client sent in a parameter), decoded;
 * `undefined` when its escapes are malformed (`%zz`, a cut UTF-8 sequence), which decodeURIComponent
 * would throw as an unexpected error (a 500) although it is only an address that names nothing.
 */
export function decodePathPart(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}
