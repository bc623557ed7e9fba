import assert from 'node:assert/strict';

// The keys Mastodon's entities carry (mastodon-api.md §3), written out rather than taken from our
// schemas, so a key dropped from a serializer and its schema alike still fails a test.

export const ACCOUNT_KEYS = ['id', 'username', 'acct', 'display_name', 'locked', 'bot', 'group', 'discoverable', 'indexable', 'noindex', 'created_at', 'note', 'url', 'uri', 'avatar', 'avatar_static', 'header', 'header_static', 'followers_count', 'following_count', 'statuses_count', 'last_status_at', 'emojis', 'fields', 'moved', 'suspended', 'limited', 'roles'];

export const STATUS_KEYS = ['id', 'uri', 'url', 'created_at', 'edited_at', 'account', 'content', 'visibility', 'sensitive', 'spoiler_text', 'language', 'media_attachments', 'mentions', 'tags', 'emojis', 'reblogs_count', 'favourites_count', 'replies_count', 'quotes_count', 'in_reply_to_id', 'in_reply_to_account_id', 'reblog', 'application', 'poll', 'card', 'favourited', 'reblogged', 'muted', 'bookmarked', 'pinned', 'filtered'];

type Json = Record<string, any>;

/** Every documented key of an Account is present. */
export function assertAccountShape(a: Json): void {
  for (const key of ACCOUNT_KEYS) assert.ok(key in a, `Account has ${key}`);
  assert.match(a.id, /^\d+$/);
}

/** Every documented key of a Status (and of its account, and of the boosted status) is present, with the types clients decode. */
export function assertStatusShape(s: Json): void {
  for (const key of STATUS_KEYS) assert.ok(key in s, `Status has ${key}`);
  assertAccountShape(s.account);
  assert.equal(typeof s.id, 'string');
  assert.match(s.id, /^\d+$/);
  assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  for (const key of ['media_attachments', 'mentions', 'tags', 'emojis', 'filtered']) assert.ok(Array.isArray(s[key]), `${key} is an array`);
  for (const key of ['favourited', 'reblogged', 'muted', 'bookmarked', 'pinned', 'sensitive']) assert.equal(typeof s[key], 'boolean', key);
  for (const key of ['reblogs_count', 'favourites_count', 'replies_count', 'quotes_count']) assert.equal(typeof s[key], 'number', key);
  assert.match(s.uri, /^https?:\/\//);
  assert.match(s.url, /^https?:\/\//);
  assert.equal(s.poll, null);
  assert.equal(s.card, null);
  if (s.reblog) assertStatusShape(s.reblog);
}
