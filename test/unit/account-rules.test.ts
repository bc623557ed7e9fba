import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EMAIL_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  normalizeUsername,
  validateEmail,
  validatePassword,
  validateUsername,
  validateLanguage,
} from '../../src/core/domain/account-rules.ts';
import { Invalid } from '../../src/core/domain/errors.ts';
import { domainError } from '../helpers/errors.ts';

describe('normalizeUsername', () => {
  it('trims, drops one leading @ and lower-cases', () => {
    assert.equal(normalizeUsername('  @Ada_Lovelace  '), 'ada_lovelace');
  });

  it('strips control characters', () => {
    assert.equal(normalizeUsername('ad\u0000a'), 'ada');
  });
});

describe('validateUsername', () => {
  it('returns the normalised username', () => {
    assert.equal(validateUsername(' @Grace_Hopper42 '), 'grace_hopper42');
  });

  it('accepts exactly 30 characters and refuses 31', () => {
    assert.equal(validateUsername('a'.repeat(30)), 'a'.repeat(30));
    assert.throws(() => validateUsername('a'.repeat(31)), domainError(Invalid, 'username'));
  });

  it('refuses an empty or blank username', () => {
    for (const input of ['', '   ', '@']) assert.throws(() => validateUsername(input), domainError(Invalid, 'username'));
  });

  it('refuses characters other than a–z, digits and underscore', () => {
    for (const input of ['ada-l', 'ada.l', 'ada l', 'émile', 'ada@home', '<script>', 'ａｄａ']) {
      assert.throws(() => validateUsername(input), domainError(Invalid, 'username'), input);
    }
  });

  it('gives a message a person can act on', () => {
    assert.throws(() => validateUsername('ada-l'), { message: /letters a–z, digits and underscores/ });
  });
});

describe('validateEmail', () => {
  it('accepts ordinary addresses and trims them', () => {
    assert.equal(validateEmail('  Ada@Example.com '), 'Ada@Example.com');
    assert.equal(validateEmail('first.last+tag@sub.example.co.uk'), 'first.last+tag@sub.example.co.uk');
  });

  it('refuses malformed addresses', () => {
    for (const input of ['ada', 'ada@', '@example.com', 'ada@example', 'ada@example.c', 'a b@example.com', 'a@b@example.com', '<a>@example.com']) {
      assert.throws(() => validateEmail(input), domainError(Invalid, 'email'), input);
    }
  });

  it('refuses an empty address', () => {
    assert.throws(() => validateEmail('  '), domainError(Invalid, 'email'));
  });

  it(`refuses more than ${EMAIL_MAX} characters`, () => {
    const local = 'a'.repeat(64);
    const domain = 'b'.repeat(EMAIL_MAX - local.length - 1 - 4) + '.com';
    assert.equal(validateEmail(`${local}@${domain}`).length, EMAIL_MAX);
    assert.throws(() => validateEmail(`${local}a@${domain}`), domainError(Invalid, 'email'));
  });
});

describe('validatePassword', () => {
  it(`needs at least ${PASSWORD_MIN} characters`, () => {
    assert.throws(() => validatePassword('x'.repeat(PASSWORD_MIN - 1)), domainError(Invalid, 'password'));
    assert.equal(validatePassword('x'.repeat(PASSWORD_MIN)), 'x'.repeat(PASSWORD_MIN));
  });

  it(`allows at most ${PASSWORD_MAX} characters`, () => {
    assert.equal(validatePassword('x'.repeat(PASSWORD_MAX)).length, PASSWORD_MAX);
    assert.throws(() => validatePassword('x'.repeat(PASSWORD_MAX + 1)), domainError(Invalid, 'password'));
  });

  it('returns the password untouched (no trimming or normalising)', () => {
    const password = '  spaced Pässwörd\t ';
    assert.equal(validatePassword(password), password);
  });
});

describe('posting defaults', () => {
  it('languages: ISO 639 codes, empty clears', () => {
    assert.equal(validateLanguage('FR'), 'fr');
    assert.equal(validateLanguage('fil'), 'fil');
    assert.equal(validateLanguage(' '), null);
    for (const bad of ['english', 'e', 'f1', 'en-US']) assert.throws(() => validateLanguage(bad), domainError(Invalid, 'source[language]'), bad);
  });
});
