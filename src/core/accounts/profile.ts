import type { CoreContext } from '../context.ts';
import type { Visibility } from '../db/schema.ts';
import { throwFieldErrors, validateLanguage, VISIBILITIES } from '../domain/account-rules.ts';
import { Invalid, NotFound } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { cleanText } from '../domain/text-input.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from './account-view.ts';

// What an account says about itself and how it posts by default: the website's profile form and the
// API's update_credentials both come here, so the rules are the same on both faces.

/** Mastodon's limits, which apps show in their profile editors; characters as people count them. */
export const DISPLAY_NAME_MAX = 30;
export const NOTE_MAX = 500;

/** A change to a profile: absent fields stay as they are. */
export interface ProfileChanges {
  displayName?: string | undefined;
  note?: string | undefined;
  /** Only false: without follow requests a locked account would promise approval nothing asks for. */
  locked?: boolean | undefined;
  bot?: boolean | undefined;
  discoverable?: boolean | undefined;
  /** public, unlisted, private or direct. */
  defaultVisibility?: string | undefined;
  defaultSensitive?: boolean | undefined;
  /** An ISO 639 code; `''` clears it. */
  defaultLanguage?: string | undefined;
}

/** The account's own settings, shown only to itself (the API's `source`, the preferences). */
export interface AccountSettings {
  discoverable: boolean;
  defaultVisibility: Visibility;
  defaultSensitive: boolean;
  defaultLanguage: string | null;
}

const SETTINGS_COLUMNS = ['discoverable', 'default_visibility', 'default_sensitive', 'default_language'] as const;

function length(text: string): number {
  return [...text].length;
}

/** The values to store, or Invalid carrying every field's problem at once. */
function checkChanges(changes: ProfileChanges) {
  // A display name is one line; a bio keeps its line breaks.
  const displayName = changes.displayName === undefined ? undefined : cleanText(changes.displayName).replace(/\s+/g, ' ').trim();
  const note = changes.note === undefined ? undefined : cleanText(changes.note).trim();
  const errors: Record<string, string> = {};
  if (displayName !== undefined && length(displayName) > DISPLAY_NAME_MAX) {
    errors.display_name = `A display name has at most ${DISPLAY_NAME_MAX} characters; this one has ${length(displayName)}.`;
  }
  if (note !== undefined && length(note) > NOTE_MAX) errors.note = `A bio has at most ${NOTE_MAX} characters; this one has ${length(note)}.`;
  if (changes.locked === true) errors.locked = 'Locked accounts (approving each follower) are not supported yet: every follow is accepted at once.';
  let visibility: Visibility | undefined;
  if (changes.defaultVisibility !== undefined) {
    const v = changes.defaultVisibility.trim().toLowerCase();
    if ((VISIBILITIES as readonly string[]).includes(v)) visibility = v as Visibility;
    else errors['source[privacy]'] = 'The default visibility must be public, unlisted, private or direct.';
  }
  let language: string | null | undefined;
  if (changes.defaultLanguage !== undefined) {
    try {
      language = validateLanguage(changes.defaultLanguage);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      errors['source[language]'] = error.message;
    }
  }
  throwFieldErrors(Invalid, errors);
  return {
    ...(displayName !== undefined ? { display_name: displayName } : {}),
    ...(note !== undefined ? { note } : {}),
    ...(changes.locked !== undefined ? { locked: changes.locked } : {}),
    ...(changes.bot !== undefined ? { bot: changes.bot } : {}),
    ...(changes.discoverable !== undefined ? { discoverable: changes.discoverable } : {}),
    ...(visibility !== undefined ? { default_visibility: visibility } : {}),
    ...(changes.defaultSensitive !== undefined ? { default_sensitive: changes.defaultSensitive } : {}),
    ...(language !== undefined ? { default_language: language } : {}),
  };
}

/** Throws what updateProfile would refuse, writing nothing: checked before a request changes anything else (its pictures). */
export function checkProfileChanges(_ctx: CoreContext, changes: ProfileChanges): void {
  checkChanges(changes);
}

/** Changes the profile and posting defaults given; Invalid carries every field's problem at once and changes nothing. */
export async function updateProfile(ctx: CoreContext, accountId: string, changes: ProfileChanges): Promise<Account> {
  if (!isId(accountId)) throw new NotFound('No such account.');
  const set = { updated_at: new Date(), ...checkChanges(changes) };
  const row = await ctx.db.updateTable('accounts').set(set).where('id', '=', accountId).returning(ACCOUNT_COLUMNS).executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return toAccount(row);
}

/** The account's own settings (discoverable, posting defaults), or NotFound. */
export async function getAccountSettings(ctx: CoreContext, accountId: string): Promise<AccountSettings> {
  if (!isId(accountId)) throw new NotFound('No such account.');
  const row = await ctx.db.selectFrom('accounts').select(SETTINGS_COLUMNS).where('id', '=', accountId).executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return { discoverable: row.discoverable, defaultVisibility: row.default_visibility, defaultSensitive: row.default_sensitive, defaultLanguage: row.default_language };
}
