import type { CoreContext } from '../context.ts';
import { Invalid, NotFound } from '../domain/errors.ts';
import { throwFieldErrors } from '../domain/account-rules.ts';
import { isId } from '../domain/ids.ts';
import { cleanText } from '../domain/text-input.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from './account-view.ts';

/** Mastodon's limits, which apps show in their profile editors; characters as people count them. */
export const DISPLAY_NAME_MAX = 30;
export const NOTE_MAX = 500;

export interface ProfileChanges {
  displayName?: string | undefined;
  note?: string | undefined;
}

function length(text: string): number {
  return [...text].length;
}

/** Changes the display name and bio; Invalid carries every field's problem at once and changes nothing. */
export async function updateProfile(ctx: CoreContext, accountId: string, changes: ProfileChanges): Promise<Account> {
  if (!isId(accountId)) throw new NotFound('No such account.');
  // A display name is one line; a bio keeps its line breaks.
  const displayName = changes.displayName === undefined ? undefined : cleanText(changes.displayName).replace(/\s+/g, ' ').trim();
  const note = changes.note === undefined ? undefined : cleanText(changes.note).trim();
  const errors: Record<string, string> = {};
  if (displayName !== undefined && length(displayName) > DISPLAY_NAME_MAX) {
    errors.display_name = `A display name has at most ${DISPLAY_NAME_MAX} characters; this one has ${length(displayName)}.`;
  }
  if (note !== undefined && length(note) > NOTE_MAX) errors.note = `A bio has at most ${NOTE_MAX} characters; this one has ${length(note)}.`;
  throwFieldErrors(Invalid, errors);
  const set = { updated_at: new Date(), ...(displayName !== undefined ? { display_name: displayName } : {}), ...(note !== undefined ? { note } : {}) };
  const row = await ctx.db.updateTable('accounts').set(set).where('id', '=', accountId).returning(ACCOUNT_COLUMNS).executeTakeFirst();
  if (!row) throw new NotFound('No such account.');
  return toAccount(row);
}
