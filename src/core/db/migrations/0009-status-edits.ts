import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// Editing posts (PUT /api/v1/statuses/:id, the website's edit form). Each edit keeps the version it
// replaces: on the first edit the original is stored too, so a post's history is its revisions, oldest
// first, and a never-edited post has none (its history is the post itself). Revisions go with their post.
// `update` notifications tell those who boosted a post that it changed: one per (booster, post), moved
// to the top again by each later edit (see notifyEdit), so the unique key of 0005 still holds.
const UP = [
  `CREATE TABLE status_edits (
      id            bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      status_id     bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      text          text NOT NULL,
      content_html  text NOT NULL,
      spoiler_text  text NOT NULL DEFAULT '',
      sensitive     boolean NOT NULL DEFAULT false,
      language      text,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX status_edits_status_id_idx ON status_edits (status_id, id)`,
  `ALTER TABLE notifications DROP CONSTRAINT notifications_type_check`,
  `ALTER TABLE notifications ADD CONSTRAINT notifications_type_check CHECK (type IN ('mention', 'follow', 'favourite', 'reblog', 'update'))`,
];

const DOWN = [
  `DELETE FROM notifications WHERE type = 'update'`,
  `ALTER TABLE notifications DROP CONSTRAINT notifications_type_check`,
  `ALTER TABLE notifications ADD CONSTRAINT notifications_type_check CHECK (type IN ('mention', 'follow', 'favourite', 'reblog'))`,
  `DROP TABLE status_edits`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
