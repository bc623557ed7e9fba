import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Client secrets, codes and tokens are 256 random bits; the database keeps only their SHA-256. With
// that much entropy a plain hash is enough (nothing to brute-force), and it lets a token be found by
// its digest in one indexed lookup.

/** A new random credential: 43 URL-safe characters. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The digest stored in place of a credential. */
export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Whether `secret` is the one whose digest is `stored`, in constant time. */
export function matchesDigest(secret: string, stored: Buffer): boolean {
  const given = digest(secret);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Base64url without padding: the form S256 code challenges take (RFC 7636). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Credentials are what we made (43 characters of base64url) or nothing: bounds every lookup. */
export function looksLikeSecret(value: string): boolean {
  return /^[A-Za-z0-9_-]{20,100}$/.test(value);
}
