import type { MediaMeta, MediaState, MediaType } from '../db/schema.ts';

/** An attachment as pages and the API show it; URLs are built from the keys (urls.ts `mediaUrl`). */
export interface MediaAttachment {
  id: string;
  accountId: string;
  statusId: string | null;
  type: MediaType;
  state: MediaState;
  /** Why processing failed, in words for its owner (null unless `failed`). */
  failureReason: string | null;
  description: string;
  focus: { x: number; y: number };
  /** The served original (null until ready). */
  originalKey: string | null;
  /** The served preview (null until ready). */
  smallKey: string | null;
  meta: MediaMeta;
  blurhash: string | null;
  createdAt: Date;
}

/** The columns a MediaAttachment is made of. */
export const MEDIA_COLUMNS = [
  'id',
  'account_id',
  'status_id',
  'type',
  'state',
  'failure_reason',
  'description',
  'focus_x',
  'focus_y',
  'original_key',
  'small_key',
  'meta',
  'blurhash',
  'created_at',
] as const;

export interface MediaRow {
  id: string;
  account_id: string;
  status_id: string | null;
  type: MediaType;
  state: MediaState;
  failure_reason: string | null;
  description: string;
  focus_x: number;
  focus_y: number;
  original_key: string | null;
  small_key: string | null;
  meta: MediaMeta;
  blurhash: string | null;
  created_at: Date;
}

export function toMediaAttachment(row: MediaRow): MediaAttachment {
  return {
    id: row.id,
    accountId: row.account_id,
    statusId: row.status_id,
    type: row.type,
    state: row.state,
    failureReason: row.failure_reason,
    description: row.description,
    focus: { x: Number(row.focus_x), y: Number(row.focus_y) },
    originalKey: row.original_key,
    smallKey: row.small_key,
    meta: row.meta ?? {},
    blurhash: row.blurhash,
    createdAt: row.created_at,
  };
}
