import type { CoreContext } from '../context.ts';
import { uniqueViolation } from '../db/errors.ts';
import { validateEmail, validatePassword, validateUsername, normalizeUsername } from '../domain/account-rules.ts';
import { Conflict, NotFound, Unauthenticated } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { cleanText } from '../domain/text-input.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from './account-view.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { consumeRateLimit, RATE_RULES } from '../rate-limits/rate-limits.ts';

export interface SignUpInput {
  username: string;
  email: string;
  password: string;
}

/** Creates an account. Throws Invalid for bad input and Conflict when the username or email is taken. */
export async function signUp(ctx: CoreContext, input: SignUpInput, options: { admin?: boolean } = {}): Promise<Account> {
  const username = validateUsername(input.username);
  const email = validateEmail(input.email);
  const password = validatePassword(input.password);
  const passwordHash = await hashPassword(password);
  try {
    const row = await ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('accounts')
        .values({ username, email, password_hash: passwordHash, is_admin: options.admin ?? false })
        .returning(ACCOUNT_COLUMNS)
        .executeTakeFirstOrThrow();
      await ctx.bus.publish(trx, 'account.created', { accountId: inserted.id });
      return inserted;
    });
    return toAccount(row);
  } catch (error) {
    // The unique indexes decide, so two simultaneous sign-ups cannot both win.
    const constraint = uniqueViolation(error);
    if (constraint?.includes('username')) throw new Conflict('That username is taken. Try another one.', 'username');
    if (constraint?.includes('email')) throw new Conflict('An account with that email address already exists.', 'email');
    throw error;
  }
}

/**
 * Finds the account for a username or email and password; throws Unauthenticated otherwise, and
 * RateLimited past 25 attempts an hour on one account.
 */
export async function authenticate(ctx: CoreContext, login: string, password: string): Promise<Account> {
  const trimmed = cleanText(login).trim().slice(0, 254);
  const row = await ctx.db
    .selectFrom('accounts')
    .select([...ACCOUNT_COLUMNS, 'password_hash'])
    .where((eb) =>
      trimmed.includes('@') && !trimmed.startsWith('@')
        ? eb(eb.fn('lower', ['email']), '=', trimmed.toLowerCase())
        : eb('username', '=', normalizeUsername(trimmed)),
    )
    .executeTakeFirst();
  // Per account, whatever name it was asked by (username in any case, @username or email); an unknown
  // login is limited by its text, so guessing at non-existent accounts is bounded too.
  await consumeRateLimit(ctx, RATE_RULES.signInPerAccount, row ? `account:${row.id}` : `login:${trimmed.toLowerCase()}`);
  const ok = await verifyPassword(row?.password_hash, password.slice(0, 1024));
  if (!row || !ok) throw new Unauthenticated('That username or email and password do not match.');
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
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('accounts')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('username', '=', normalizeUsername(username))
      .returning(ACCOUNT_COLUMNS)
      .executeTakeFirst();
    if (!row) throw new NotFound(`No account named ${normalizeUsername(username)}.`);
    await trx.deleteFrom('sessions').where('account_id', '=', row.id).execute();
    return toAccount(row);
  });
}

/** How many accounts exist (instance statistics, seeding). */
export async function countAccounts(ctx: CoreContext): Promise<number> {
  const row = await ctx.db.selectFrom('accounts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
