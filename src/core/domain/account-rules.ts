import { Invalid, type FieldErrors } from './errors.ts';
import { cleanText } from './text-input.ts';

// Input rules for accounts. Pure functions: they normalise and validate, or throw Invalid naming the field.

export const USERNAME_PATTERN = /^[a-z0-9_]{1,30}$/;
export const PASSWORD_MIN = 8;
// Argon2 takes any length, but hashing megabytes on request is a denial of service.
export const PASSWORD_MAX = 1024;
export const EMAIL_MAX = 254;
// Pragmatic, as browsers' type=email: something@domain.tld, no spaces. Deliverability is proven by mail.
const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

/** Usernames are case-insensitive: stored and compared lower-case. */
export function normalizeUsername(input: string): string {
  return cleanText(input).trim().replace(/^@/, '').toLowerCase();
}

export function validateUsername(input: string): string {
  const username = normalizeUsername(input);
  if (username.length === 0) throw new Invalid('Choose a username.', 'username');
  if (username.length > 30) throw new Invalid('Usernames have at most 30 characters.', 'username');
  if (!USERNAME_PATTERN.test(username)) {
    throw new Invalid('Usernames may contain only letters a–z, digits and underscores.', 'username');
  }
  return username;
}

export function validateEmail(input: string): string {
  const email = cleanText(input).trim();
  if (email.length === 0) throw new Invalid('Enter your email address.', 'email');
  if (email.length > EMAIL_MAX) throw new Invalid(`Email addresses have at most ${EMAIL_MAX} characters.`, 'email');
  if (!EMAIL_PATTERN.test(email)) throw new Invalid('Enter a valid email address, like name@example.com.', 'email');
  return email;
}

export function validatePassword(password: string): string {
  if (password.length < PASSWORD_MIN) throw new Invalid(`Passwords need at least ${PASSWORD_MIN} characters.`, 'password');
  if (password.length > PASSWORD_MAX) throw new Invalid(`Passwords have at most ${PASSWORD_MAX} characters.`, 'password');
  return password;
}

export interface SignUpFields {
  username: string;
  email: string;
  password: string;
}

/**
 * Checks every sign-up field and returns the normalised values with every field's problem (empty
 * when all is well), so a form can show them all at once instead of one per attempt.
 */
export function checkSignUp(input: SignUpFields): { values: SignUpFields; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const check = (field: keyof SignUpFields, validate: (value: string) => string): string => {
    try {
      return validate(input[field]);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      errors[field] = error.message;
      return '';
    }
  };
  const values = { username: check('username', validateUsername), email: check('email', validateEmail), password: check('password', validatePassword) };
  return { values, errors };
}

/** Throws one error of `kind` carrying every field's message, when there is any. */
export function throwFieldErrors(kind: new (message: string, field?: string, fields?: FieldErrors) => Error, errors: Record<string, string>): void {
  const [first] = Object.entries(errors);
  if (first) throw new kind(first[1], first[0], { ...errors });
}

// The posting defaults an account may choose (the rest of the profile's rules: accounts/profile.ts).
export const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;
const LANGUAGE_PATTERN = /^[a-z]{2,3}$/;

/** A default posting language: an ISO 639 code (two or three letters), or null for none. */
export function validateLanguage(input: string): string | null {
  const code = cleanText(input).trim().toLowerCase();
  if (code === '') return null;
  if (!LANGUAGE_PATTERN.test(code)) throw new Invalid('The language must be an ISO 639 code, like en or fr.', 'source[language]');
  return code;
}
