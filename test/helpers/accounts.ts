import type { Account, Core } from '../../src/core/index.ts';

/** The password every account made by `createAccount` has. */
export const TEST_PASSWORD = 'correct horse battery staple';

let counter = 0;

/** A username no other call in this process returns (≤ 30 characters). */
export function uniqueUsername(prefix = 'user'): string {
  counter += 1;
  return `${prefix.slice(0, 16)}_${process.pid % 100_000}_${counter}`;
}

/** Signs up an account with a fresh username, `<username>@example.com` and TEST_PASSWORD. */
export function createAccount(core: Core, prefix?: string): Promise<Account> {
  const username = uniqueUsername(prefix);
  return core.accounts.signUp({ username, email: `${username}@example.com`, password: TEST_PASSWORD });
}
