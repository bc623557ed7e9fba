import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// The OAuth 2.0 authorization server's tables (Mastodon's flavour: confidential clients, codes that
// live ten minutes, access tokens that never expire but can be revoked). Secrets, codes and tokens are
// stored only as SHA-256 digests of high-entropy random values, so a leaked table grants nothing.
const UP = [
  `CREATE TABLE oauth_applications (
      id                  bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      website             text CHECK (length(website) <= 2000),
      redirect_uris       text[] NOT NULL CHECK (cardinality(redirect_uris) BETWEEN 1 AND 10),
      scopes              text NOT NULL CHECK (length(scopes) <= 1000),
      client_id           text NOT NULL UNIQUE CHECK (length(client_id) <= 100),
      client_secret_hash  bytea NOT NULL,
      owner_account_id    bigint REFERENCES accounts (id) ON DELETE SET NULL,
      created_at          timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE TABLE oauth_authorization_codes (
      id                     bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      code_hash              bytea NOT NULL UNIQUE,
      application_id         bigint NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
      account_id             bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      redirect_uri           text NOT NULL CHECK (length(redirect_uri) <= 2000),
      scopes                 text NOT NULL CHECK (length(scopes) <= 1000),
      code_challenge         text CHECK (length(code_challenge) <= 128),
      code_challenge_method  text CHECK (code_challenge_method IN ('S256')),
      created_at             timestamptz NOT NULL DEFAULT now(),
      expires_at             timestamptz NOT NULL,
      used_at                timestamptz
    )`,
  `CREATE INDEX oauth_authorization_codes_expires_at_idx ON oauth_authorization_codes (expires_at)`,
  `CREATE INDEX oauth_authorization_codes_application_account_idx ON oauth_authorization_codes (application_id, account_id)`,
  `CREATE INDEX oauth_authorization_codes_account_id_idx ON oauth_authorization_codes (account_id)`,
  `CREATE TABLE oauth_access_tokens (
      id              bigint PRIMARY KEY DEFAULT pipit_snowflake(),
      token_hash      bytea NOT NULL UNIQUE,
      application_id  bigint NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
      account_id      bigint REFERENCES accounts (id) ON DELETE CASCADE,
      scopes          text NOT NULL CHECK (length(scopes) <= 1000),
      created_at      timestamptz NOT NULL DEFAULT now(),
      revoked_at      timestamptz,
      last_used_at    timestamptz
    )`,
  `-- The settings page lists a person's live tokens by app.
    CREATE INDEX oauth_access_tokens_account_id_idx ON oauth_access_tokens (account_id, application_id) WHERE revoked_at IS NULL`,
  `CREATE INDEX oauth_access_tokens_application_id_idx ON oauth_access_tokens (application_id)`,
];

const DOWN = [`DROP TABLE oauth_access_tokens`, `DROP TABLE oauth_authorization_codes`, `DROP TABLE oauth_applications`];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
