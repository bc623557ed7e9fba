import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from '../../src/core/accounts/passwords.ts';

describe('password hashing', () => {
  it('uses Argon2id with OWASP’s minimum parameters (19 MiB, 2 passes, 1 lane)', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  });

  it('salts each hash', async () => {
    assert.notEqual(await hashPassword('same password'), await hashPassword('same password'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword(hash, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(hash, 'Correct horse battery staple'), false);
    assert.equal(await verifyPassword(hash, ''), false);
  });

  it('refuses when there is no stored hash, or a broken one', async () => {
    assert.equal(await verifyPassword(undefined, 'pipit-dummy-password'), false);
    assert.equal(await verifyPassword('not-a-hash', 'anything'), false);
  });
});
