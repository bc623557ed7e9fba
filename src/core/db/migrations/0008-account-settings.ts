import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// What the Mastodon API lets an account set beyond its profile text (issue 8): whether it wants to be
// found (`discoverable`), its posting defaults (`source[privacy|sensitive|language]`, read back by
// /api/v1/preferences), and the reading positions apps sync through /api/v1/markers. Two prefix indexes
// serve account search (@-mention autocomplete): by username and by display name, case-insensitive;
// a third the hashtag search.
const UP = [
  `ALTER TABLE accounts
      ADD COLUMN discoverable       boolean NOT NULL DEFAULT true,
      ADD COLUMN default_visibility text NOT NULL DEFAULT 'public'
                 CHECK (default_visibility IN ('public', 'unlisted', 'private', 'direct')),
      ADD COLUMN default_sensitive  boolean NOT NULL DEFAULT false,
      ADD COLUMN default_language   text CHECK (default_language ~ '^[a-z]{2,3}$')`,
  `CREATE INDEX accounts_username_prefix_idx ON accounts (username text_pattern_ops)`,
  `CREATE INDEX accounts_display_name_prefix_idx ON accounts (lower(display_name) text_pattern_ops)`,
  `CREATE INDEX tags_name_prefix_idx ON tags (name text_pattern_ops)`,
  `CREATE TABLE markers (
      account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      timeline      text NOT NULL CHECK (timeline IN ('home', 'notifications')),
      last_read_id  bigint NOT NULL,
      version       integer NOT NULL DEFAULT 1,
      updated_at    timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, timeline)
    )`,
];

const DOWN = [
  `DROP TABLE markers`,
  `DROP INDEX tags_name_prefix_idx`,
  `DROP INDEX accounts_display_name_prefix_idx`,
  `DROP INDEX accounts_username_prefix_idx`,
  `ALTER TABLE accounts DROP COLUMN discoverable, DROP COLUMN default_visibility, DROP COLUMN default_sensitive, DROP COLUMN default_language`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
