import { absoluteLinks, type PostRevision, type SiteUrls } from '../../../core/index.ts';
import { accountSchema, toMastodonAccount, type MastodonAccount } from './account.ts';
import { mediaAttachmentSchema, toMastodonMediaAttachment, type MastodonMediaAttachment } from './media-attachment.ts';
import { anyObject, arr, bool, obj, str } from './schema.ts';

// The StatusEdit entity of GET /api/v1/statuses/:id/history: one version of a post. `poll` is left out
// (Mastodon sends it only for a post with a poll, and Pipit has none); emojis are an empty list. Media
// are the attachments as that version had them (description and focus of that version).

export interface MastodonStatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: MastodonAccount;
  media_attachments: MastodonMediaAttachment[];
  emojis: never[];
}

export function toMastodonStatusEdit(revision: PostRevision, site: SiteUrls): MastodonStatusEdit {
  const publicUrl = site.publicUrl;
  return {
    content: absoluteLinks(revision.contentHtml, publicUrl),
    spoiler_text: revision.spoilerText,
    sensitive: revision.sensitive,
    created_at: revision.createdAt.toISOString(),
      account: toMastodonAccount(revision.account, site),
      media_attachments: revision.media.map((m) => toMastodonMediaAttachment(m, site)),
    emojis: [],
  };
}

export const statusEditSchema = obj({
  content: str,
  spoiler_text: str,
  sensitive: bool,
  created_at: str,
  account: accountSchema,
  media_attachments: arr(mediaAttachmentSchema),
  emojis: arr(anyObject),
});

export const statusEditListSchema = arr(statusEditSchema);
