import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

// A rejected post comes back through post/redirect/get: the form's POST answers 303 to the page it was
// on (`/`, or the post a reply answers), and what was typed (text, content warning, visibility, the post
// replied to) travels with the message in a short-lived cookie, signed by @fastify/cookie (SECRET_KEY) so nobody can plant text or a message in someone's compose box. A reload then re-shows the page; it
// never sends the post again. The cookie is bound to the account (another person logging in on the same
// browser does not see it) and lives until the next successful post or for DRAFT_SECONDS.
// Browsers keep ~4 KB per cookie: the text is compressed, and a draft that still does not fit is not
// put in a cookie at all — the caller then answers the POST with the page itself, as before, so what
// was typed is never lost.

export interface ComposeDraft {
  text: string;
  error: string;
  spoilerText?: string | undefined;
  /** As the form sent it (checked again when posted). */
  visibility?: string | undefined;
  /** The post this was a reply to: the draft is shown in that post's reply form only. */
  inReplyToId?: string | undefined;
  /** The pictures were refused: the form opens its picture inputs, to choose them again. */
  pictures?: boolean | undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const DRAFT_SECONDS = 15 * 60;
/** What a cookie value may take here, leaving room for the name, attributes and the signature. */
const MAX_COOKIE_VALUE = 3_600;
/** Bounds decompression of our own (signed) cookie all the same. */
const MAX_JSON_BYTES = 512 * 1024;

export function draftCookieName(secure: boolean): string {
  return secure ? '__Host-pipit_draft' : 'pipit_draft';
}

function cookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, signed: true };
}

/** Puts the draft in the cookie; false when it does not fit (the caller shows it in place instead). */
export function saveDraft(reply: FastifyReply, secure: boolean, accountId: string, draft: ComposeDraft): boolean {
  const expires = Date.now() + DRAFT_SECONDS * 1000;
  const json = JSON.stringify({ a: accountId, t: draft.text, e: draft.error, s: draft.spoilerText, v: draft.visibility, r: draft.inReplyToId, p: draft.pictures ? 1 : undefined, x: expires });
  const value = brotliCompressSync(Buffer.from(json, 'utf8')).toString('base64url');
  if (value.length > MAX_COOKIE_VALUE) return false;
  reply.setCookie(draftCookieName(secure), value, { ...cookieOptions(secure), maxAge: DRAFT_SECONDS });
  return true;
}

/** The viewer's draft, if the cookie holds a valid, unexpired one for this account. */
export function readDraft(request: FastifyRequest, secure: boolean, accountId: string): ComposeDraft | undefined {
  const raw = request.cookies[draftCookieName(secure)];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return undefined;
  try {
    const json = brotliDecompressSync(Buffer.from(unsigned.value, 'base64url'), { maxOutputLength: MAX_JSON_BYTES }).toString('utf8');
    const data = JSON.parse(json) as { a?: unknown; t?: unknown; e?: unknown; s?: unknown; v?: unknown; r?: unknown; p?: unknown; x?: unknown };
    if (data.a !== accountId || typeof data.t !== 'string' || typeof data.e !== 'string' || typeof data.x !== 'number') return undefined;
    if (data.x < Date.now()) return undefined;
    return { text: data.t, error: data.e, spoilerText: optionalString(data.s), visibility: optionalString(data.v), inReplyToId: optionalString(data.r), pictures: data.p === 1 || undefined };
  } catch {
    return undefined; // a cookie from an older version, or damaged: no draft
  }
}

/** Forgets the draft (after a successful post). */
export function clearDraft(request: FastifyRequest, reply: FastifyReply, secure: boolean): void {
  const name = draftCookieName(secure);
  if (request.cookies[name] !== undefined) reply.clearCookie(name, cookieOptions(secure));
}
