// Every key of the Mastodon entities the API sends (mastodon-api.md §3), sorted, for shape assertions.

export const ACCOUNT_KEYS = [
  'id', 'username', 'acct', 'display_name', 'locked', 'bot', 'group', 'discoverable', 'indexable', 'noindex', 'created_at', 'note', 'url', 'uri',
  'avatar', 'avatar_static', 'header', 'header_static', 'followers_count', 'following_count', 'statuses_count', 'last_status_at', 'emojis',
  'fields', 'moved', 'suspended', 'limited', 'roles',
].sort();

export const RELATIONSHIP_KEYS = [
  'id', 'following', 'showing_reblogs', 'notifying', 'languages', 'followed_by', 'blocking', 'blocked_by', 'muting', 'muting_notifications',
  'muting_expires_at', 'requested', 'requested_by', 'domain_blocking', 'endorsed', 'note',
].sort();

export const NOTIFICATION_KEYS = ['account', 'created_at', 'group_key', 'id', 'status', 'type'];

export const TAG_KEYS = ['following', 'history', 'name', 'url'];
