import { Invalid } from '../domain/errors.ts';
import { cleanText } from '../domain/text-input.ts';

// An attachment's description (alt text), checked the same wherever it is set: on upload, by PUT
// /api/v1/media/:id, and by an edit's media_attributes.

/** The longest description (Mastodon's 1,500 characters). */
export const DESCRIPTION_MAX = 1500;

/** The description cleaned and trimmed; Invalid past DESCRIPTION_MAX. */
export function checkDescription(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  const text = cleanText(description).trim();
  if (text.length > DESCRIPTION_MAX) throw new Invalid(`Descriptions have at most ${DESCRIPTION_MAX} characters; this one has ${text.length}.`, 'description');
  return text;
}
