import type { ColumnType, Generated } from 'kysely';

// Row types of the tables in migrations/. Ids are bigint in SQL and strings in TypeScript: they are
// read as strings (see connection.ts) and must never pass through a JS number.

type Id = ColumnType<string, string | bigint | undefined, never>;
type RequiredId = ColumnType<string, string | bigint, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Counter = ColumnType<number, number | undefined, number>;

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

export interface AccountsTable {
  id: Id;
  username: string;
  email: string;
  password_hash: string;
  display_name: Generated<string>;
  note: Generated<string>;
  is_admin: Generated<boolean>;
  locked: Generated<boolean>;
  bot: Generated<boolean>;
  statuses_count: Counter;
  followers_count: Counter;
  following_count: Counter;
  last_status_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  email_notifications: Generated<boolean>;
  discoverable: Generated<boolean>;
  default_visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  default_sensitive: Generated<boolean>;
  default_language: ColumnType<string | null, string | null | undefined, string | null>;
  avatar_key: ColumnType<string | null, string | null | undefined, string | null>;
  avatar_small_key: ColumnType<string | null, string | null | undefined, string | null>;
  header_key: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: Id;
  account_id: RequiredId;
  token_hash: Buffer;
  user_agent: Generated<string>;
  ip: Generated<string>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface StatusesTable {
  id: Id;
  account_id: RequiredId;
  text: string;
  content_html: string;
  spoiler_text: Generated<string>;
  visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  sensitive: Generated<boolean>;
  language: string | null;
  in_reply_to_id: ColumnType<string | null, string | bigint | null | undefined, string | null>;
  in_reply_to_account_id: ColumnType<string | null, string | bigint | null | undefined, string | null>;
  reblog_of_id: ColumnType<string | null, string | bigint | null | undefined, never>;
  replies_count: Counter;
  reblogs_count: Counter;
  favourites_count: Counter;
  created_at: Timestamp;
  edited_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The OAuth app it was posted with (null from the website, or once the app is gone). */
  application_id: ColumnType<string | null, string | bigint | null | undefined, string | null>;
}

export interface MentionsTable {
  id: Id;
  status_id: RequiredId;
  account_id: RequiredId;
}

/** A version of a post: the original (stored at its first edit) and each edit, oldest first by id. */
export interface StatusEditsTable {
  id: Id;
  status_id: RequiredId;
  text: string;
  content_html: string;
  spoiler_text: string;
  sensitive: boolean;
  language: string | null;
  created_at: Timestamp;
  /** The attachments of this version, in order, as they were then (JSON written by edit-post.ts). */
  media: ColumnType<EditMedia[], string | undefined, string>;
}

/** An attachment as one version of a post had it. */
export interface EditMedia {
  id: string;
  description: string;
  focus: { x: number; y: number };
}

export interface TagsTable {
  id: Id;
  name: string;
  created_at: Timestamp;
}

export interface StatusesTagsTable {
  tag_id: RequiredId;
  status_id: RequiredId;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type NotificationType = 'mention' | 'follow' | 'favourite' | 'reblog' | 'update';

export interface NotificationsTable {
  id: Id;
  account_id: RequiredId;
  type: NotificationType;
  from_account_id: RequiredId;
  /** The post it is about; null for a follow. */
  status_id: ColumnType<string | null, string | bigint | null | undefined, never>;
  created_at: Timestamp;
  read_at: NullableTime;
}

export type EmailDeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface EmailDeliveriesTable {
  id: Id;
  kind: 'mention';
  status_id: RequiredId;
  account_id: RequiredId;
  state: ColumnType<EmailDeliveryState, EmailDeliveryState | undefined, EmailDeliveryState>;
  attempts: Counter;
  claim_token: ColumnType<string | null, string | null | undefined, string | null>;
  lease_until: NullableTime;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  message_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  sent_at: NullableTime;
  failed_at: NullableTime;
}

export interface DailyStatsTable {
  /** `YYYY-MM-DD` (UTC). */
  day: ColumnType<string, string, string>;
  new_accounts: number;
  active_accounts: number;
  posts: number;
  replies: number;
  mentions: number;
  emails_sent: number;
  emails_failed: number;
  computed_at: Timestamp;
}

export interface FollowsTable {
  id: Id;
  account_id: RequiredId;
  target_account_id: RequiredId;
  show_reblogs: Generated<boolean>;
  notify: Generated<boolean>;
  created_at: Timestamp;
}

/** favourites and bookmarks: one row per (account, post). */
export interface AccountPostTable {
  id: Id;
  account_id: RequiredId;
  status_id: RequiredId;
  created_at: Timestamp;
}

export interface OAuthApplicationsTable {
  id: Id;
  name: string;
  website: string | null;
  redirect_uris: ColumnType<string[], string[], string[]>;
  /** Space-separated, as OAuth writes them. */
  scopes: string;
  client_id: string;
  client_secret_hash: Buffer;
  owner_account_id: ColumnType<string | null, string | bigint | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface OAuthAuthorizationCodesTable {
  id: Id;
  code_hash: Buffer;
  application_id: RequiredId;
  account_id: RequiredId;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  code_challenge_method: 'S256' | null;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: NullableTime;
}

export interface OAuthAccessTokensTable {
  id: Id;
  token_hash: Buffer;
  application_id: RequiredId;
  /** Null for an app token (client_credentials). */
  account_id: ColumnType<string | null, string | bigint | null, never>;
  scopes: string;
  created_at: Timestamp;
  revoked_at: NullableTime;
  last_used_at: NullableTime;
}

export type MarkerTimeline = 'home' | 'notifications';

export interface MarkersTable {
  account_id: RequiredId;
  timeline: MarkerTimeline;
  last_read_id: ColumnType<string, string | bigint, string | bigint>;
  version: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

/** An `Idempotency-Key` claimed by an account: the post it made (null only while the post is being made). */
export interface IdempotencyKeysTable {
  account_id: ColumnType<string, string | bigint, never>;
  key: ColumnType<string, string, never>;
  status_id: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type MediaType = 'image' | 'gifv' | 'video' | 'audio' | 'unknown';
export type MediaState = 'processing' | 'ready' | 'failed';

/** One variant's facts, as MediaAttachment `meta.original` / `meta.small` show them. */
export interface MediaVariantMeta {
  width: number;
  height: number;
  /** `WIDTHxHEIGHT`, as Mastodon writes it. */
  size: string;
  aspect: number;
}

/** The served original of a video, gifv or audio file: Mastodon's extra facts (audio has no size). */
export interface MediaOriginalMeta extends Partial<MediaVariantMeta> {
  /** Frames per second as a fraction, e.g. `30/1` (video, gifv). */
  frame_rate?: string;
  /** Seconds. */
  duration?: number;
  /** Bits per second. */
  bitrate?: number;
}

/** What the pipeline learnt of a file (each task writes its own keys). */
export interface MediaMeta {
  original?: MediaOriginalMeta;
  small?: MediaVariantMeta;
  /** The format detected from the content (`jpeg`, `png`, …; a video's or audio's container, `mp4`, `webm`, `mp3`, …, from the upload's sniff). */
  format?: string;
}

export interface MediaAttachmentsTable {
  id: Id;
  account_id: RequiredId;
  status_id: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  position: ColumnType<number, number | undefined, number>;
  type: ColumnType<MediaType, MediaType | undefined, MediaType>;
  state: ColumnType<MediaState, MediaState | undefined, MediaState>;
  failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
  pending_tasks: ColumnType<string[], string[] | undefined, string[]>;
  description: ColumnType<string, string | undefined, string>;
  focus_x: ColumnType<number, number | undefined, number>;
  focus_y: ColumnType<number, number | undefined, number>;
  upload_key: ColumnType<string | null, string | null | undefined, string | null>;
  upload_size: ColumnType<string, number | bigint, never>;
  original_key: ColumnType<string | null, string | null | undefined, string | null>;
  small_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** Bytes of the served original and preview (null until written); the quota counts them. */
  original_size: ColumnType<string | null, number | null | undefined, number | null>;
  small_size: ColumnType<string | null, number | null | undefined, number | null>;
  meta: ColumnType<MediaMeta, string | undefined, string>;
  blurhash: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  accounts: AccountsTable;
  sessions: SessionsTable;
  statuses: StatusesTable;
  mentions: MentionsTable;
  tags: TagsTable;
  statuses_tags: StatusesTagsTable;
  status_edits: StatusEditsTable;
  rate_limits: RateLimitsTable;
  notifications: NotificationsTable;
  email_deliveries: EmailDeliveriesTable;
  daily_stats: DailyStatsTable;
  follows: FollowsTable;
  favourites: AccountPostTable;
  bookmarks: AccountPostTable;
  oauth_applications: OAuthApplicationsTable;
  oauth_authorization_codes: OAuthAuthorizationCodesTable;
  oauth_access_tokens: OAuthAccessTokensTable;
  idempotency_keys: IdempotencyKeysTable;
  markers: MarkersTable;
  media_attachments: MediaAttachmentsTable;
}
