import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// `Idempotency-Key` on POST /api/v1/statuses (mastodon-api.md §6): a client that retries a post (Phanpy
// sends a key with every one) gets the first post back instead of a duplicate. One row per (account,
// key), claimed in the same transaction as the post, so two racing requests make one post. A key
// counts for an hour; an older row is claimed anew. The row goes with its post.
// With it, the app a post came from (the Status's `application`): null for the website's posts, and
// once the app is deleted.
const UP = [
  `ALTER TABLE statuses ADD COLUMN application_id bigint REFERENCES oauth_applications (id) ON DELETE SET NULL`,
  `CREATE INDEX statuses_application_id_idx ON statuses (application_id) WHERE application_id IS NOT NULL`,
  `CREATE TABLE idempotency_keys (
      account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
      status_id   bigint REFERENCES statuses (id) ON DELETE CASCADE,
      created_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, key)
    )`,
  `CREATE INDEX idempotency_keys_status_id_idx ON idempotency_keys (status_id)`,
  `CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`,
];

const DOWN = [`DROP TABLE idempotency_keys`, `ALTER TABLE statuses DROP COLUMN application_id`];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
