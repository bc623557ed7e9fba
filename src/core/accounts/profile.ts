import type { CoreContext } from '../context.ts';
import type { Visibility } from '../db/schema.ts';
import { validateDisplayName, validateLanguage, validateNote, VISIBILITIES } from '../domain/account-rules.ts';
import { Invalid, NotFound } from '../domain/errors.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from './account-view.ts';

// What an account says about itself and how it posts by default: the profile form of the website and
// the API's update_credentials both come here, so the rules are the same on both faces.

/** The account's own settings, shown only to itself (the API's `source`, the preferences). */
export interface AccountSettings {
  discoverable: boolean;
  defaultVisibility: Visibility;
  defaultSensitive: boolean;
  defaultLanguage: string | null;
}

/** A change to a profile: absent fields stay as they are. */
export interface ProfileChange {
  displayName?: string | undefined;
  note?: string | undefined;
  locked?: boolean | undefined;
  bot?: boolean | undefined;
  discoverable?: boolean | undefined;
  defaultVisibility?: string | undefined;
  defaultSensitive?: boolean | undefined;
  /** An ISO 639 code; `''` clears it. */
  defaultLanguage?: string | undefined;
}

const SETTINGS_COLUMNS = ['discoverable', 'default_visibility', 'default_sensitive', 'default_language'] as const;

function toSettings(row: { discoverable: boolean; default_visibility: Visibility; default_sensitive: boolean; default_language: string | null }): AccountSettings {
  return { discoverable: row.discoverable, defaultVisibility: row.default_visibility, defaultSensitive: row.default_sensitive, defaultLanguage: row.default_language };
}

/** Every problem of a change at once (Invalid with `fields`), or the values to store. */
function checkChange(change: ProfileChange) {
  const errors: Record<string, string> = {};
  const check = <T>(field: string, run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      errors[field] = error.message;
      return undefined;
    }
  };
  const values = {
    display_name: change.displayName === undefined ? undefined : check('display_name', () => validateDisplayName(change.displayName!)),
    note: change.note === undefined ? undefined : check('note', () => validateNote(change.note!)),
    default_language: change.defaultLanguage === undefined ? undefined : check('source[language]', () => validateLanguage(change.defaultLanguage!)),
    default_visibility:
      change.defaultVisibility === undefined
        ? undefined
        : check('source[privacy]', () => {
            const v = change.defaultVisibility!.trim().toLowerCase();
            if (!(VISIBILITIES as readonly string[]).includes(v)) throw new Invalid('The default visibility must be public, unlisted, private or direct.', 'source[privacy]');
            return v as Visibility;
          }),
  };
  // No follow requests yet: a locked account would promise approval that nothing asks for.
  if (change.locked === true) errors.locked = 'Locked accounts (approving each follower) are not supported yet: every follow is accepted at once.';
  const [first] = Object.entries(errors);
  if (first) throw new Invalid(first[1], first[0], errors);
  return values;
}

/** Changes the account's profile and posting defaults; Invalid (every field's problem) leaves it untouched. */
export async function updateProfile(ctx: CoreContext, accountId: string, change: ProfileChange): Promise<{ account: Account; settings: AccountSettings }> {
  const v = checkChange(change);
  const set = {
    ...(v.display_name !== undefined ? { display_name: v.display_name } : {}),
    ...(v.note !== undefined ? { note: v.note } : {}),
    ...(change.locked !== undefined ? { locked: change.locked } : {}),
    ...(change.bot !== undefined ? { bot: change.bot } : {}),
    ...(change.discoverable !== undefined ? { discoverable: change.discoverable } : {}),
    ...(v.default_visibility !== undefined ? { default_visibility: v.default_visibility } : {}),
    ...(change.defaultSensitive !== undefined ? { default_sensitive: change.defaultSensitive } : {}),
    ...(v.default_language !== undefined ? { default_language: v.default_language } : {}),
  };
  const row = await ctx.db
    .updateTable('accounts')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', accountId)
    .returning([...ACCOUNT_COLUMNS, ...SETTINGS_COLUMNS])
    .executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return { account: toAccount(row), settings: toSettings(row) };
}

/** The account's own settings (discoverable, posting defaults), or NotFound. */
export async function getAccountSettings(ctx: CoreContext, accountId: string): Promise<AccountSettings> {
  const row = await ctx.db.selectFrom('accounts').select(SETTINGS_COLUMNS).where('id', '=', accountId).executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return toSettings(row);
}
