import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// Media in edits (PUT /api/v1/statuses/:id with media_ids[] and media_attributes[]): each version of a
// post records its attachments as they were then — ids in order, with that version's description and
// focal point — so the history shows what each version showed. The files are the attachments' own: an
// attachment an edit removed is unattached, and the cleanup removes it; its versions then show the rest.
// Until now an edit could not change a post's media, so every version kept so far had the attachments
// its post has: they are filled in from them.
const UP = [
  `ALTER TABLE status_edits ADD COLUMN media jsonb NOT NULL DEFAULT '[]'::jsonb`,
  `UPDATE status_edits e SET media = m.media
     FROM (SELECT status_id,
                  jsonb_agg(jsonb_build_object('id', id::text, 'description', description, 'focus', jsonb_build_object('x', focus_x, 'y', focus_y)) ORDER BY position, id) AS media
             FROM media_attachments WHERE status_id IS NOT NULL GROUP BY status_id) m
    WHERE m.status_id = e.status_id`,
];

const DOWN = [`ALTER TABLE status_edits DROP COLUMN media`];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, DOWN);
}
