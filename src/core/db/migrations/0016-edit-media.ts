import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// Media in edits (PUT /api/v1/statuses/:id with media_ids[] and media_attributes[]): each version of a
// post records its attachments as they were then — ids in order, with that version's description and
// focal point — so the history shows what each version showed. The files are the attachments' own: an
// attachment an edit removed is unattached, and the cleanup removes it; its versions then show the rest.
const UP = [`ALTER TABLE status_edits ADD COLUMN media jsonb NOT NULL DEFAULT '[]'::jsonb`];

const DOWN = [`ALTER TABLE status_edits DROP COLUMN media`];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
