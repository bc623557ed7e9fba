import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// Written as SQL so the schema reads the same on PGlite and PostgreSQL. Ids are snowflakes made by the
// database itself, so any number of processes can insert without coordinating:
// (unix milliseconds << 16) | a 16-bit sequence. They sort by creation and fit a signed bigint.
const UP = [
  `CREATE SEQUENCE pipit_id_seq`,
  `CREATE FUNCTION pipit_snowflake() RETURNS bigint LANGUAGE sql VOLATILE AS $$
      SELECT (floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint << 16)
             | (nextval('pipit_id_seq') % 65536)
    $$`,
  `CREATE TABLE accounts (
      id               bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      username         text NOT NULL CHECK (username ~ '^[a-z0-9_]{1,30}$'),
      email            text NOT NULL CHECK (length(email) <= 254),
      password_hash    text NOT NULL,
      display_name     text NOT NULL DEFAULT '' CHECK (length(display_name) <= 100),
      note             text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
      is_admin         boolean NOT NULL DEFAULT false,
      locked           boolean NOT NULL DEFAULT false,
      bot              boolean NOT NULL DEFAULT false,
      statuses_count   integer NOT NULL DEFAULT 0,
      followers_count  integer NOT NULL DEFAULT 0,
      following_count  integer NOT NULL DEFAULT 0,
      last_status_at   timestamptz,
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now()
    )`,
  `-- Usernames are stored lower-case; emails are unique whatever their case.
    CREATE UNIQUE INDEX accounts_username_key ON accounts (username)`,
  `CREATE UNIQUE INDEX accounts_email_lower_key ON accounts (lower(email))`,
  `CREATE TABLE sessions (
      id            bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      token_hash    bytea NOT NULL UNIQUE,
      user_agent    text NOT NULL DEFAULT '',
      ip            text NOT NULL DEFAULT '',
      created_at    timestamptz NOT NULL DEFAULT now(),
      last_seen_at  timestamptz NOT NULL DEFAULT now(),
      expires_at    timestamptz NOT NULL
    )`,
  `CREATE INDEX sessions_account_id_idx ON sessions (account_id)`,
  `CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`,
  `CREATE TABLE statuses (
      id                      bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      account_id              bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      text                    text NOT NULL,
      content_html            text NOT NULL,
      spoiler_text            text NOT NULL DEFAULT '',
      visibility              text NOT NULL DEFAULT 'public'
                              CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
      sensitive               boolean NOT NULL DEFAULT false,
      language                text,
      in_reply_to_id          bigint REFERENCES statuses (id) ON DELETE SET NULL,
      in_reply_to_account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
      reblog_of_id            bigint REFERENCES statuses (id) ON DELETE CASCADE,
      replies_count           integer NOT NULL DEFAULT 0,
      reblogs_count           integer NOT NULL DEFAULT 0,
      favourites_count        integer NOT NULL DEFAULT 0,
      created_at              timestamptz NOT NULL DEFAULT now(),
      edited_at               timestamptz
    )`,
  `CREATE INDEX statuses_account_id_id_idx ON statuses (account_id, id DESC)`,
  `CREATE INDEX statuses_public_id_idx ON statuses (id DESC) WHERE visibility = 'public' AND reblog_of_id IS NULL`,
  `CREATE INDEX statuses_in_reply_to_id_idx ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL`,
  `CREATE INDEX statuses_reblog_of_id_idx ON statuses (reblog_of_id) WHERE reblog_of_id IS NOT NULL`,
  `CREATE INDEX statuses_created_at_idx ON statuses (created_at)`,
  `CREATE TABLE mentions (
      id          bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      status_id   bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      UNIQUE (status_id, account_id)
    )`,
  `CREATE INDEX mentions_account_id_idx ON mentions (account_id, status_id DESC)`,
  `CREATE TABLE tags (
      id          bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      name        text NOT NULL UNIQUE CHECK (name = lower(name) AND length(name) <= 100),
      created_at  timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE TABLE statuses_tags (
      tag_id     bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
      status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
      PRIMARY KEY (tag_id, status_id)
    )`,
  `CREATE INDEX statuses_tags_status_id_idx ON statuses_tags (status_id)`,
  `-- Fixed-window counters shared by every web process (login and sign-up limits).
    CREATE TABLE rate_limits (
      key         text PRIMARY KEY,
      count       integer NOT NULL,
      expires_at  timestamptz NOT NULL
    )`,
];

const DOWN = [
  `DROP TABLE rate_limits, statuses_tags, tags, mentions, statuses, sessions, accounts`,
  `DROP FUNCTION pipit_snowflake()`,
  `DROP SEQUENCE pipit_id_seq`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
