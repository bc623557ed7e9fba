import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// The task manager's tables: in-app notifications, one row per email we owe someone (the key that
// makes a repeated job find its email already sent), the email setting, and the daily statistics.
// pg-boss keeps its own tables in the `pgboss` schema and installs them itself.
const UP = [
  `ALTER TABLE accounts ADD COLUMN email_notifications boolean NOT NULL DEFAULT true`,
  `CREATE TABLE notifications (
      id               bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      account_id       bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      type             text NOT NULL CHECK (type IN ('mention')),
      from_account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      status_id        bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      created_at       timestamptz NOT NULL DEFAULT now(),
      read_at          timestamptz,
      UNIQUE (account_id, type, status_id)
    )`,
  `CREATE INDEX notifications_account_id_id_idx ON notifications (account_id, id DESC)`,
  `CREATE INDEX notifications_status_id_idx ON notifications (status_id)`,
  `-- No foreign key to statuses: the record of what was sent outlives the post (statistics), and a
    -- post deleted before its email went out is noticed by the sender, which then sends nothing.
    CREATE TABLE email_deliveries (
      id           bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      kind         text NOT NULL CHECK (kind IN ('mention')),
      status_id    bigint NOT NULL,
      account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
      attempts     integer NOT NULL DEFAULT 0,
      claim_token  text,
      lease_until  timestamptz,
      last_error   text CHECK (length(last_error) <= 2000),
      message_id   text,
      created_at   timestamptz NOT NULL DEFAULT now(),
      sent_at      timestamptz,
      failed_at    timestamptz,
      UNIQUE (kind, status_id, account_id)
    )`,
  `CREATE INDEX email_deliveries_sent_at_idx ON email_deliveries (sent_at) WHERE sent_at IS NOT NULL`,
  `CREATE INDEX email_deliveries_failed_at_idx ON email_deliveries (failed_at) WHERE failed_at IS NOT NULL`,
  `CREATE INDEX mentions_status_id_idx ON mentions (status_id)`,
  `CREATE TABLE daily_stats (
      day              date PRIMARY KEY,
      new_accounts     integer NOT NULL,
      active_accounts  integer NOT NULL,
      posts            integer NOT NULL,
      replies          integer NOT NULL,
      mentions         integer NOT NULL,
      emails_sent      integer NOT NULL,
      emails_failed    integer NOT NULL,
      computed_at      timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX accounts_created_at_idx ON accounts (created_at)`,
];

const DOWN = [
  `DROP TABLE daily_stats, email_deliveries, notifications`,
  `DROP INDEX mentions_status_id_idx`,
  `DROP INDEX accounts_created_at_idx`,
  `ALTER TABLE accounts DROP COLUMN email_notifications`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
