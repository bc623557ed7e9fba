import { tagUrl, type Tag } from '../../../core/index.ts';
import { anyObject, arr, bool, obj, ref, str } from './schema.ts';

// The Tag entity: name, url, history (Pipit keeps no daily usage yet: []), and `following` for a signed-in
// caller (followed tags do not exist yet: false).

export interface MastodonTag {
  name: string;
  url: string;
  history: never[];
  following: boolean;
}

export function toMastodonTag(tag: Tag, publicUrl: string): MastodonTag {
  return { name: tag.name, url: tagUrl(publicUrl, tag.name), history: [], following: false };
}

export const tagEntity = obj({ name: str, url: str, history: arr(anyObject), following: bool });
export const tagSchema = ref('Tag');
