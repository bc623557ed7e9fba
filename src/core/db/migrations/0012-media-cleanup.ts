import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// Cleanup and quotas for media (issue 9). The quota counts what each row keeps in storage, so a row
// records the bytes of its served variants beside its upload's (`upload_size`); rows made before this
// get their upload's size as an estimate (the re-encoded files are of its order). The hourly cleanup
// finds unattached uploads by age (the partial index), and the storage sweep asks whether any row
// names a file (the key indexes; unique, as keys are random and a key shared by two rows would be a bug).
const UP = [
  `ALTER TABLE media_attachments
      ADD COLUMN original_size bigint CHECK (original_size IS NULL OR original_size >= 0),
      ADD COLUMN small_size    bigint CHECK (small_size IS NULL OR small_size >= 0)`,
  `UPDATE media_attachments SET original_size = upload_size, small_size = 0 WHERE original_key IS NOT NULL`,
  `CREATE INDEX media_attachments_unattached_idx ON media_attachments (created_at) WHERE status_id IS NULL`,
  `CREATE UNIQUE INDEX media_attachments_upload_key_idx ON media_attachments (upload_key) WHERE upload_key IS NOT NULL`,
  `CREATE UNIQUE INDEX media_attachments_original_key_idx ON media_attachments (original_key) WHERE original_key IS NOT NULL`,
  `CREATE UNIQUE INDEX media_attachments_small_key_idx ON media_attachments (small_key) WHERE small_key IS NOT NULL`,
];

const DOWN = [
  `DROP INDEX media_attachments_small_key_idx`,
  `DROP INDEX media_attachments_original_key_idx`,
  `DROP INDEX media_attachments_upload_key_idx`,
  `DROP INDEX media_attachments_unattached_idx`,
  `ALTER TABLE media_attachments DROP COLUMN small_size, DROP COLUMN original_size`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
