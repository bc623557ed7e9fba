import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Conflict, Invalid, NotFound, RateLimited, Unauthenticated, isId } from '../../src/core/index.ts';
import { createAccount, TEST_PASSWORD, uniqueUsername } from '../helpers/accounts.ts';
import { forEachBackend } from '../helpers/databases.ts';
import { domainError } from '../helpers/errors.ts';

forEachBackend('accounts', (t) => {
  describe('a fresh test core', () => {
    it('is on the backend it was asked for, with the test configuration', () => {
      assert.equal(t.core.databaseKind, t.backend.name);
      assert.equal(t.config.nodeEnv, 'test');
      assert.equal(t.core.config, t.config);
    });

    it('has its migrations applied, so it reports ready', async () => {
      assert.deepEqual(await t.core.readiness(), { ready: true });
    });

    it('starts with an empty database', async () => {
      assert.equal(await t.core.accounts.countAccounts(), 0);
      assert.deepEqual(await t.core.posts.publicTimeline(), []);
    });
  });

  describe('signUp', () => {
    it('creates an account with a normalised username and fresh counters', async () => {
      const name = uniqueUsername('Ada');
      const account = await t.core.accounts.signUp({ username: `  @${name.toUpperCase()} `, email: ` ${name}@Example.com `, password: TEST_PASSWORD });
      assert.ok(isId(account.id));
      assert.equal(account.username, name.toLowerCase());
      assert.equal(account.displayName, '');
      assert.equal(account.isAdmin, false);
      assert.equal(account.statusesCount, 0);
      assert.equal(account.lastStatusAt, null);
      assert.ok(account.createdAt instanceof Date);
      assert.deepEqual(await t.core.accounts.getAccount(account.id), account);
    });

    it('never exposes the email or the password hash', async () => {
      const account = await createAccount(t.core);
      const keys = Object.keys(account).join(' ');
      assert.doesNotMatch(keys, /email|password|hash/i);
      assert.doesNotMatch(JSON.stringify(account), /argon2|@example\.com/);
    });

    it('can make an admin', async () => {
      const name = uniqueUsername('root');
      const account = await t.core.accounts.signUp({ username: name, email: `${name}@example.com`, password: TEST_PASSWORD }, { admin: true });
      assert.equal(account.isAdmin, true);
    });

    it('refuses a username taken in any case, naming the field', async () => {
      const existing = await createAccount(t.core);
      const attempt = t.core.accounts.signUp({ username: existing.username.toUpperCase(), email: 'other-1@example.com', password: TEST_PASSWORD });
      await assert.rejects(attempt, domainError(Conflict, 'username'));
    });

    it('refuses an email taken in any case, naming the field', async () => {
      const existing = await createAccount(t.core);
      const attempt = t.core.accounts.signUp({ username: uniqueUsername(), email: `${existing.username}@EXAMPLE.COM`.toUpperCase(), password: TEST_PASSWORD });
      await assert.rejects(attempt, domainError(Conflict, 'email'));
    });

    it("reports every field's problem at once (Invalid.fields), a taken name and email too", async () => {
      const error = await t.core.accounts.signUp({ username: 'no spaces', email: 'nope', password: 'short' }).catch((e: unknown) => e);
      domainError(Invalid, 'username')(error);
      assert.deepEqual(Object.keys((error as Invalid).fields).sort(), ['email', 'password', 'username']);
      const account = await createAccount(t.core);
      const taken = await t.core.accounts.signUp({ username: account.username, email: `${account.username}@EXAMPLE.com`, password: TEST_PASSWORD }).catch((e: unknown) => e);
      domainError(Conflict, 'username')(taken);
      assert.deepEqual(Object.keys((taken as Conflict).fields).sort(), ['email', 'username']);
    });

    it('refuses bad input with Invalid naming the field, creating nothing', async () => {
      const before = await t.core.accounts.countAccounts();
      const ok = { username: uniqueUsername(), email: 'fine@example.com', password: TEST_PASSWORD };
      await assert.rejects(t.core.accounts.signUp({ ...ok, username: 'no-dashes' }), domainError(Invalid, 'username'));
      await assert.rejects(t.core.accounts.signUp({ ...ok, username: 'x'.repeat(31) }), domainError(Invalid, 'username'));
      await assert.rejects(t.core.accounts.signUp({ ...ok, email: 'not-an-email' }), domainError(Invalid, 'email'));
      await assert.rejects(t.core.accounts.signUp({ ...ok, password: 'short' }), domainError(Invalid, 'password'));
      assert.equal(await t.core.accounts.countAccounts(), before);
    });

    it('accepts a 30-character username', async () => {
      const name = `${uniqueUsername('long')}_`.padEnd(30, 'z');
      const account = await t.core.accounts.signUp({ username: name, email: `${name}@example.com`, password: TEST_PASSWORD });
      assert.equal(account.username.length, 30);
    });

    it('lets exactly one of two simultaneous sign-ups for a username win', async () => {
      const name = uniqueUsername('race');
      const results = await Promise.allSettled([
        t.core.accounts.signUp({ username: name, email: `${name}-a@example.com`, password: TEST_PASSWORD }),
        t.core.accounts.signUp({ username: name.toUpperCase(), email: `${name}-b@example.com`, password: TEST_PASSWORD }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      domainError(Conflict, 'username')((lost[0] as PromiseRejectedResult).reason);
    });

    it('lets exactly one of two simultaneous sign-ups for an email win', async () => {
      const email = `${uniqueUsername('mail')}@example.com`;
      const results = await Promise.allSettled([
        t.core.accounts.signUp({ username: uniqueUsername(), email, password: TEST_PASSWORD }),
        t.core.accounts.signUp({ username: uniqueUsername(), email: email.toUpperCase(), password: TEST_PASSWORD }),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      domainError(Conflict, 'email')(results.find((r) => r.status === 'rejected')!.reason);
    });
  });

  describe('authenticate', () => {
    it('finds the account by username, in any case and with a leading @', async () => {
      const account = await createAccount(t.core);
      assert.equal((await t.core.accounts.authenticate(account.username, TEST_PASSWORD)).id, account.id);
      assert.equal((await t.core.accounts.authenticate(` @${account.username.toUpperCase()} `, TEST_PASSWORD)).id, account.id);
    });

    it('finds the account by email, in any case', async () => {
      const account = await createAccount(t.core);
      const found = await t.core.accounts.authenticate(`${account.username}@Example.COM`, TEST_PASSWORD);
      assert.equal(found.id, account.id);
    });

    it('refuses a wrong password and an unknown login alike', async () => {
      const account = await createAccount(t.core);
      const wrong = await t.core.accounts.authenticate(account.username, `${TEST_PASSWORD}!`).catch((e: unknown) => e);
      const unknown = await t.core.accounts.authenticate('nobody_here', TEST_PASSWORD).catch((e: unknown) => e);
      domainError(Unauthenticated)(wrong);
      domainError(Unauthenticated)(unknown);
      assert.equal((wrong as Error).message, (unknown as Error).message);
    });

    it('does not trim or case-fold the password', async () => {
      const account = await createAccount(t.core);
      await assert.rejects(t.core.accounts.authenticate(account.username, ` ${TEST_PASSWORD}`), domainError(Unauthenticated));
      await assert.rejects(t.core.accounts.authenticate(account.username, TEST_PASSWORD.toUpperCase()), domainError(Unauthenticated));
    });

    it('refuses an empty login', async () => {
      await assert.rejects(t.core.accounts.authenticate('', TEST_PASSWORD), domainError(Unauthenticated));
    });

    it('limits failures per account and client whatever name it is asked by; another client still gets in', async () => {
      const account = await createAccount(t.core);
      const names = [account.username, `@${account.username.toUpperCase()}`, `${account.username}@example.com`];
      const attacker = { ip: '198.51.100.9' };
      for (let i = 0; i < 25; i++) {
        await assert.rejects(t.core.accounts.authenticate(names[i % 3]!, 'wrong-password', attacker), domainError(Unauthenticated));
      }
      // This client is refused even with the right password, by any name…
      await assert.rejects(t.core.accounts.authenticate(names[1]!, TEST_PASSWORD, attacker), domainError(RateLimited));
      // …the owner from elsewhere (an IPv6 address) is not, and another account is unaffected.
      assert.equal((await t.core.accounts.authenticate(names[2]!, TEST_PASSWORD, { ip: '2001:db8:1:2::5' })).id, account.id);
      const other = await createAccount(t.core);
      assert.equal((await t.core.accounts.authenticate(other.username, TEST_PASSWORD, attacker)).id, other.id);
    });

    it('counts IPv6 clients by their /64 and does not count successful logins', async () => {
      const account = await createAccount(t.core);
      for (let i = 0; i < 30; i++) assert.equal((await t.core.accounts.authenticate(account.username, TEST_PASSWORD, { ip: '2001:db8:7::1' })).id, account.id);
      const unknown = 'no_such_person_at_all';
      for (let i = 0; i < 25; i++) {
        // Each address of one /64 is the same client.
        await assert.rejects(t.core.accounts.authenticate(unknown, 'x', { ip: `2001:db8:9:0:${i.toString(16)}::1` }), domainError(Unauthenticated));
      }
      await assert.rejects(t.core.accounts.authenticate(unknown.toUpperCase(), 'x', { ip: '2001:db8:9::ffff' }), domainError(RateLimited));
      await assert.rejects(t.core.accounts.authenticate(unknown, 'x', { ip: '2001:db8:a::1' }), domainError(Unauthenticated));
    });
  });

  describe('lookups and administration', () => {
    it('getAccountByUsername is case-insensitive; unknown names and ids are NotFound', async () => {
      const account = await createAccount(t.core);
      assert.equal((await t.core.accounts.getAccountByUsername(account.username.toUpperCase())).id, account.id);
      await assert.rejects(t.core.accounts.getAccountByUsername('no_such_user'), domainError(NotFound));
      await assert.rejects(t.core.accounts.getAccount('123'), domainError(NotFound));
      await assert.rejects(t.core.accounts.getAccount('not-an-id'), domainError(NotFound));
    });

    it('setAdmin grants and removes the role', async () => {
      const account = await createAccount(t.core);
      assert.equal((await t.core.accounts.setAdmin(account.username, true)).isAdmin, true);
      assert.equal((await t.core.accounts.getAccount(account.id)).isAdmin, true);
      assert.equal((await t.core.accounts.setAdmin(account.username, false)).isAdmin, false);
      await assert.rejects(t.core.accounts.setAdmin('no_such_user', true), domainError(NotFound));
    });

    it('resetPassword replaces the password', async () => {
      const account = await createAccount(t.core);
      await t.core.accounts.resetPassword(account.username, 'a brand new password');
      await assert.rejects(t.core.accounts.authenticate(account.username, TEST_PASSWORD), domainError(Unauthenticated));
      assert.equal((await t.core.accounts.authenticate(account.username, 'a brand new password')).id, account.id);
      await assert.rejects(t.core.accounts.resetPassword(account.username, 'short'), domainError(Invalid, 'password'));
    });

    it('countAccounts counts sign-ups', async () => {
      const before = await t.core.accounts.countAccounts();
      await createAccount(t.core);
      assert.equal(await t.core.accounts.countAccounts(), before + 1);
    });
  });
});
