import { createHash } from 'node:crypto';
import type { CoreContext } from '../context.ts';
import { uniqueViolation } from '../db/errors.ts';
import { withTransaction } from '../db/transaction.ts';
import { checkSignUp, normalizeUsername, throwFieldErrors, validatePassword } from '../domain/account-rules.ts';
import { Conflict, Invalid, NotFound, Unauthenticated } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { cleanText } from '../domain/text-input.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from './account-view.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { clientSubject } from '../rate-limits/client-subject.ts';
import { consumeRateLimit, peekRateLimit, RATE_RULES, recordRateLimitHit, refundRateLimit, SIGN_IN_TRIES_UNDER_ATTACK } from '../rate-limits/rate-limits.ts';

export interface SignUpInput {
  username: string;
  email: string;
  password: string;
}

const TAKEN = {
  username: 'That username is taken. Try another one.',
  email: 'An account with that email address already exists.',
};

/** Which of a (valid) username and email already belong to an account, with the message for each. */
async function takenFields(ctx: CoreContext, username: string, email: string): Promise<Record<string, string>> {
  if (!username && !email) return {};
  const rows = await ctx.db
    .selectFrom('accounts')
    .select(['username', 'email'])
    .where((eb) => eb.or([eb('username', '=', username), eb(eb.fn('lower', ['email']), '=', email.toLowerCase())]))
    .limit(2)
    .execute();
  const taken: Record<string, string> = {};
  if (username && rows.some((r) => r.username === username)) taken.username = TAKEN.username;
  if (email && rows.some((r) => r.email.toLowerCase() === email.toLowerCase())) taken.email = TAKEN.email;
  return taken;
}

/**
 * Creates an account. Throws Invalid for bad input and Conflict when the username or email is taken,
 * each carrying every field's problem at once (`fields`).
 */
export async function signUp(ctx: CoreContext, input: SignUpInput, options: { admin?: boolean } = {}): Promise<Account> {
  const { values, errors } = checkSignUp(input);
  const taken = await takenFields(ctx, errors.username ? '' : values.username, errors.email ? '' : values.email);
  throwFieldErrors(Invalid, Object.keys(errors).length ? { ...errors, ...taken } : {});
  throwFieldErrors(Conflict, taken);
  const { username, email, password } = values;
  const passwordHash = await hashPassword(password);
  try {
    const row = await withTransaction(ctx, async (tx) => {
      const inserted = await tx.db
        .insertInto('accounts')
        .values({ username, email, password_hash: passwordHash, is_admin: options.admin ?? false })
        .returning(ACCOUNT_COLUMNS)
        .executeTakeFirstOrThrow();
      await ctx.bus.publish(tx.db, 'account.created', { accountId: inserted.id });
      return inserted;
    });
    return toAccount(row);
  } catch (error) {
    // The unique indexes decide, so two simultaneous sign-ups cannot both win.
    const constraint = uniqueViolation(error);
    if (constraint?.includes('username')) throw new Conflict(TAKEN.username, 'username');
    if (constraint?.includes('email')) throw new Conflict(TAKEN.email, 'email');
    throw error;
  }
}

export interface SignInClient {
  /** The client's address (IPv6 counted by /64); default `local` (the terminal, tests). */
  ip?: string;
}

/**
 * Finds the account for a username or email and password; throws Unauthenticated otherwise, and
 * RateLimited when this client has failed too often on this account (see RATE_RULES): failures by
 * others never keep the right password out.
 */
export async function authenticate(ctx: CoreContext, login: string, password: string, client: SignInClient = {}): Promise<Account> {
  const trimmed = cleanText(login).trim().slice(0, 254);
  const byEmail = trimmed.includes('@') && !trimmed.startsWith('@');
  const row = await ctx.db
    .selectFrom('accounts')
    .select([...ACCOUNT_COLUMNS, 'password_hash'])
    .where((eb) => (byEmail ? eb(eb.fn('lower', ['email']), '=', trimmed.toLowerCase()) : eb('username', '=', normalizeUsername(trimmed))))
    .executeTakeFirst();
  // Per account, whatever name it was asked by (username in any case, @username or email). An unknown
  // login is counted by a digest of its normalised text, so typed text never becomes a key of its own
  // size and unknown names behave as known ones do.
  const target = row ? `account:${row.id}` : `login:${createHash('sha256').update(byEmail ? trimmed.toLowerCase() : normalizeUsername(trimmed)).digest('base64url').slice(0, 22)}`;
  const pair = `${target}:${clientSubject(client.ip ?? 'local')}`;
  const underAttack = (await peekRateLimit(ctx, RATE_RULES.signInFailuresPerAccount, target)) >= RATE_RULES.signInFailuresPerAccount.limit;
  const pairRule = underAttack ? { ...RATE_RULES.signInPerAccountAndIp, limit: SIGN_IN_TRIES_UNDER_ATTACK } : RATE_RULES.signInPerAccountAndIp;
  // Taken before the password is checked (so parallel guesses are counted too), given back on success.
  await consumeRateLimit(ctx, pairRule, pair);
  const ok = await verifyPassword(row?.password_hash, password.slice(0, 1024));
  if (!row || !ok) {
    await recordRateLimitHit(ctx, RATE_RULES.signInFailuresPerAccount, target);
    throw new Unauthenticated('That username or email and password do not match.');
  }
  await refundRateLimit(ctx, RATE_RULES.signInPerAccountAndIp, pair);
  return toAccount(row);
}

/** The account with this username (case-insensitive), or NotFound. */
export async function getAccountByUsername(ctx: CoreContext, username: string): Promise<Account> {
  const row = await ctx.db
    .selectFrom('accounts')
    .select(ACCOUNT_COLUMNS)
    .where('username', '=', normalizeUsername(username))
    .executeTakeFirst();
  if (!row) throw new NotFound('No account with that username.');
  return toAccount(row);
}

/** The account with this id, or NotFound. */
export async function getAccount(ctx: CoreContext, id: string): Promise<Account> {
  if (!isId(id)) throw new NotFound('No such account.');
  const row = await ctx.db.selectFrom('accounts').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return toAccount(row);
}

/** Grants or removes the admin role (from the terminal). */
export async function setAdmin(ctx: CoreContext, username: string, admin: boolean): Promise<Account> {
  const row = await ctx.db
    .updateTable('accounts')
    .set({ is_admin: admin, updated_at: new Date() })
    .where('username', '=', normalizeUsername(username))
    .returning(ACCOUNT_COLUMNS)
    .executeTakeFirst();
  if (!row) throw new NotFound(`No account named ${normalizeUsername(username)}.`);
  return toAccount(row);
}

/** Sets a new password and ends every session of the account (from the terminal). */
export async function resetPassword(ctx: CoreContext, username: string, password: string): Promise<Account> {
  const passwordHash = await hashPassword(validatePassword(password));
  return withTransaction(ctx, async (tx) => {
    const row = await tx.db
      .updateTable('accounts')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('username', '=', normalizeUsername(username))
      .returning(ACCOUNT_COLUMNS)
      .executeTakeFirst();
    if (!row) throw new NotFound(`No account named ${normalizeUsername(username)}.`);
    await tx.db.deleteFrom('sessions').where('account_id', '=', row.id).execute();
    return toAccount(row);
  });
}

/** How many accounts exist (instance statistics, seeding). */
export async function countAccounts(ctx: CoreContext): Promise<number> {
  const row = await ctx.db.selectFrom('accounts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
