import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// The social graph and the interactions (issue 8): follows, favourites, bookmarks, and boosts as
// statuses rows pointing at what they boost (`reblog_of_id`, there since 0001). Counters on accounts
// and statuses are kept by the use cases in the same transaction as the row, and only when a row was
// really inserted or deleted, so they stay exact under repeated and racing requests.
const UP = [
  `CREATE TABLE follows (
      id                 bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      account_id         bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target_account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      show_reblogs       boolean NOT NULL DEFAULT true,
      notify             boolean NOT NULL DEFAULT false,
      created_at         timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT follows_not_self CHECK (account_id <> target_account_id),
      CONSTRAINT follows_pair_key UNIQUE (account_id, target_account_id)
    )`,
  `-- The pair key serves "whom does X follow" (home timeline, relationships); this one "who follows X",
    -- newest first (followers lists, private-post visibility).
    CREATE INDEX follows_target_account_id_idx ON follows (target_account_id, id DESC)`,
  `CREATE INDEX follows_account_id_id_idx ON follows (account_id, id DESC)`,
  `CREATE TABLE favourites (
      id          bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id   bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      created_at  timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT favourites_pair_key UNIQUE (account_id, status_id)
    )`,
  `CREATE INDEX favourites_status_id_id_idx ON favourites (status_id, id DESC)`,
  `CREATE INDEX favourites_account_id_id_idx ON favourites (account_id, id DESC)`,
  `CREATE TABLE bookmarks (
      id          bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id   bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      created_at  timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT bookmarks_pair_key UNIQUE (account_id, status_id)
    )`,
  `CREATE INDEX bookmarks_account_id_id_idx ON bookmarks (account_id, id DESC)`,
  `CREATE INDEX bookmarks_status_id_idx ON bookmarks (status_id)`,
  `-- One boost per account per post; also the key that makes a repeated boost do nothing.
    CREATE UNIQUE INDEX statuses_reblog_key ON statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL`,
  `-- Who boosted a post, newest first (reblogged_by) — replaces the plain reblog_of_id index.
    CREATE INDEX statuses_reblog_of_id_id_idx ON statuses (reblog_of_id, id DESC) WHERE reblog_of_id IS NOT NULL`,
  `DROP INDEX statuses_reblog_of_id_idx`,
  `ALTER TABLE notifications DROP CONSTRAINT notifications_type_check`,
  `ALTER TABLE notifications ADD CONSTRAINT notifications_type_check CHECK (type IN ('mention', 'follow', 'favourite', 'reblog'))`,
  `ALTER TABLE notifications ALTER COLUMN status_id DROP NOT NULL`,
  `ALTER TABLE notifications ADD CONSTRAINT notifications_status_needed CHECK ((type = 'follow') = (status_id IS NULL))`,
  `-- One notification per (recipient, kind, actor, post): several people favouriting one post each notify,
    -- a repeated job does not. NULLS NOT DISTINCT: a follow (no post) notifies once per follower.
    ALTER TABLE notifications DROP CONSTRAINT notifications_account_id_type_status_id_key`,
  `CREATE UNIQUE INDEX notifications_once_key ON notifications (account_id, type, from_account_id, status_id) NULLS NOT DISTINCT`,
];

const DOWN = [
  `DELETE FROM notifications WHERE type <> 'mention'`,
  `DROP INDEX notifications_once_key`,
  `ALTER TABLE notifications ADD CONSTRAINT notifications_account_id_type_status_id_key UNIQUE (account_id, type, status_id)`,
  `ALTER TABLE notifications DROP CONSTRAINT notifications_status_needed`,
  `ALTER TABLE notifications ALTER COLUMN status_id SET NOT NULL`,
  `ALTER TABLE notifications DROP CONSTRAINT notifications_type_check`,
  `ALTER TABLE notifications ADD CONSTRAINT notifications_type_check CHECK (type IN ('mention'))`,
  `DELETE FROM statuses WHERE reblog_of_id IS NOT NULL`,
  `CREATE INDEX statuses_reblog_of_id_idx ON statuses (reblog_of_id) WHERE reblog_of_id IS NOT NULL`,
  `DROP INDEX statuses_reblog_of_id_id_idx`,
  `DROP INDEX statuses_reblog_key`,
  `DROP TABLE bookmarks, favourites, follows`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
