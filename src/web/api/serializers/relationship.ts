import type { Relationship } from '../../../core/index.ts';
import { arr, bool, obj, orNull, ref, str } from './schema.ts';

// The Relationship entity (mastodon-api.md §3): Ice Cubes decodes every field as non-null, so every
// key is sent; what Pipit does not have (blocks, mutes, requests, endorsements, notes) is false or "".

export interface MastodonRelationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  languages: string[] | null;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  muting_expires_at: string | null;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
  endorsed: boolean;
  note: string;
}

/** The viewer's relationship to one account, as the API shows it. */
export function toMastodonRelationship(r: Relationship): MastodonRelationship {
  return {
    id: r.id,
    following: r.following,
    showing_reblogs: r.showingReblogs,
    notifying: r.notifying,
    // No per-follow language filter: null means "every language", as Mastodon sends it.
    languages: null,
    followed_by: r.followedBy,
    blocking: r.blocking,
    blocked_by: r.blockedBy,
    muting: r.muting,
    muting_notifications: r.mutingNotifications,
    muting_expires_at: null,
    requested: r.requested,
    requested_by: r.requestedBy,
    domain_blocking: r.domainBlocking,
    endorsed: r.endorsed,
    note: r.note,
  };
}

export const relationshipEntity = obj({
  id: str,
  following: bool,
  showing_reblogs: bool,
  notifying: bool,
  languages: { anyOf: [arr(str), { type: 'null' }] },
  followed_by: bool,
  blocking: bool,
  blocked_by: bool,
  muting: bool,
  muting_notifications: bool,
  muting_expires_at: orNull(str),
  requested: bool,
  requested_by: bool,
  domain_blocking: bool,
  endorsed: bool,
  note: str,
});

export const relationshipSchema = ref('Relationship');
