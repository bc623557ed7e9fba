import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// Media attachments (issue 9). An upload is a row in `processing` whose bytes wait in storage under
// `upload_key` (never served); the pipeline's tasks (`pending_tasks`, set by the probe) write the served
// variants under `original_key` and `small_key` and remove themselves from the list, and the task that
// empties it marks the row `ready`; any task may mark it `failed` with the reason the owner is shown.
// Until a post takes it, an upload belongs to no status (`status_id` null); `position` keeps the order
// of `media_ids`. Deleting a post deletes its attachments' rows and then their files (deletePost); the
// SET NULL is only the net for any other way a status row goes, leaving the rows (and so the files'
// keys) for the storage cleanup rather than files no row names.
const UP = [
  `CREATE TABLE media_attachments (
      id              bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id       bigint REFERENCES statuses (id) ON DELETE SET NULL,
      position        smallint NOT NULL DEFAULT 0,
      type            text NOT NULL DEFAULT 'unknown' CHECK (type IN ('image', 'gifv', 'video', 'audio', 'unknown')),
      state           text NOT NULL DEFAULT 'processing' CHECK (state IN ('processing', 'ready', 'failed')),
      failure_reason  text CHECK (failure_reason IS NULL OR length(failure_reason) <= 500),
      pending_tasks   text[] NOT NULL DEFAULT '{}',
      description     text NOT NULL DEFAULT '' CHECK (length(description) <= 1500),
      focus_x         real NOT NULL DEFAULT 0 CHECK (focus_x BETWEEN -1 AND 1),
      focus_y         real NOT NULL DEFAULT 0 CHECK (focus_y BETWEEN -1 AND 1),
      upload_key      text,
      upload_size     bigint NOT NULL CHECK (upload_size >= 0),
      original_key    text,
      small_key       text,
      meta            jsonb NOT NULL DEFAULT '{}',
      blurhash        text CHECK (blurhash IS NULL OR length(blurhash) <= 100),
      created_at      timestamptz NOT NULL DEFAULT now(),
      updated_at      timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX media_attachments_account_id_idx ON media_attachments (account_id, id)`,
  `CREATE INDEX media_attachments_status_id_idx ON media_attachments (status_id, position) WHERE status_id IS NOT NULL`,
];

const DOWN = [`DROP TABLE media_attachments`];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
