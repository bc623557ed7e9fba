import { createHash, randomBytes } from 'node:crypto';
import type { CoreContext } from '../context.ts';
export { deleteExpiredSessions } from '../maintenance/expired-rows.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from '../accounts/account-view.ts';

// Sessions live in the database so any web process can serve any user. The browser holds a random
// 256-bit token; we store only its SHA-256, so a leaked table does not leak usable cookies.

const SESSION_DAYS = 30;
// Refreshing last_seen_at on every request would turn each page view into a write.
const TOUCH_AFTER_MS = 5 * 60 * 1000;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function expiry(from = Date.now()): Date {
  return new Date(from + SESSION_DAYS * 24 * 60 * 60 * 1000);
}

export interface SessionInfo {
  userAgent?: string;
  ip?: string;
}

/** Starts a session for an account and returns its token (to be put in a cookie, never logged). */
export async function createSession(ctx: CoreContext, accountId: string, info: SessionInfo = {}): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await ctx.db
    .insertInto('sessions')
    .values({
      account_id: accountId,
      token_hash: hashToken(token),
      user_agent: (info.userAgent ?? '').slice(0, 300),
      ip: (info.ip ?? '').slice(0, 64),
      expires_at: expiry(),
    })
    .execute();
  return token;
}

/** The account a session token belongs to, or `undefined` if it is unknown or expired. */
export async function resolveSession(ctx: CoreContext, token: string): Promise<Account | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const tokenHash = hashToken(token);
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select(ACCOUNT_COLUMNS.map((c) => `accounts.${c}` as const))
    .select(['sessions.id as session_id', 'sessions.last_seen_at', 'sessions.expires_at'])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_AFTER_MS) {
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(), expires_at: expiry() })
      .where('id', '=', row.session_id)
      .execute();
  }
  return toAccount(row);
}

/** Ends a session server-side (logout); unknown tokens are ignored. */
export async function endSession(ctx: CoreContext, token: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}
