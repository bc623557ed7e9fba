/** How the viewer and another account stand (Mastodon's Relationship; no blocks, mutes or requests yet). */
export interface Relationship {
  /** The other account's id. */
  id: string;
  following: boolean;
  followedBy: boolean;
  showingReblogs: boolean;
  notifying: boolean;
  /** Follow requests do not exist (no locked accounts yet): always false. */
  requested: false;
  requestedBy: false;
  blocking: false;
  blockedBy: false;
  muting: false;
  mutingNotifications: false;
  domainBlocking: false;
  endorsed: false;
  note: '';
}

export interface RelationshipRow {
  id: string;
  following: boolean;
  followed_by: boolean;
  showing_reblogs: boolean | null;
  notifying: boolean | null;
}

export function toRelationship(row: RelationshipRow): Relationship {
  return {
    id: row.id,
    following: row.following,
    followedBy: row.followed_by,
    showingReblogs: row.following && row.showing_reblogs === true,
    notifying: row.following && row.notifying === true,
    requested: false,
    requestedBy: false,
    blocking: false,
    blockedBy: false,
    muting: false,
    mutingNotifications: false,
    domainBlocking: false,
    endorsed: false,
    note: '',
  };
}
