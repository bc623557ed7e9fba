import { tagUrl, type Tag } from '../../../core/index.ts';
import { arr, bool, obj, ref, str } from './schema.ts';

// The Tag entity: name, url, the last week's use (history: numbers as strings, as Mastodon sends them
// and apps parse them), and `following` for a signed-in caller (followed tags do not exist yet: false).

interface MastodonTagDay {
  day: string;
  uses: string;
  accounts: string;
}

export interface MastodonTag {
  name: string;
  url: string;
  history: MastodonTagDay[];
  following: boolean;
}

export function toMastodonTag(tag: Tag, publicUrl: string): MastodonTag {
  const history = tag.history.map((d) => ({ day: String(d.day.getTime() / 1000), uses: String(d.uses), accounts: String(d.accounts) }));
  return { name: tag.name, url: tagUrl(publicUrl, tag.name), history, following: false };
}

export const tagEntity = obj({ name: str, url: str, history: arr(obj({ day: str, uses: str, accounts: str })), following: bool });
export const tagSchema = ref('Tag');
