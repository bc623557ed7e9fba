import { createHmac, timingSafeEqual } from 'node:crypto';
import { isId } from '../domain/ids.ts';

// One-click unsubscribe links work without logging in, so the link itself is the credential: the
// account id signed with SECRET_KEY. It needs no table and stays valid until the key changes.

function signature(secretKey: string, accountId: string): string {
  return createHmac('sha256', secretKey).update(`pipit:unsubscribe:${accountId}`).digest('base64url').slice(0, 32);
}

/** The token of the unsubscribe link for an account. */
export function unsubscribeToken(secretKey: string, accountId: string): string {
  return `${accountId}.${signature(secretKey, accountId)}`;
}

/** The account id a token was made for, or `undefined` when it is not one of ours. */
export function verifyUnsubscribeToken(secretKey: string, token: string): string | undefined {
  const [accountId, sig, extra] = token.split('.');
  if (extra !== undefined || !accountId || !sig || !isId(accountId)) return undefined;
  const expected = Buffer.from(signature(secretKey, accountId));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected) ? accountId : undefined;
}
