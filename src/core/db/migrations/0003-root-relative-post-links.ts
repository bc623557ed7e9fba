import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

// Posts used to be stored with profile and tag links made absolute from PUBLIC_URL at write time, so a
// new PUBLIC_URL (or a seed run on another port) left every old link pointing at the old address. The
// renderer now writes them root-relative (urls.ts); this rewrites the rows written before.
// Only our own markup can match: user text is stored escaped (`"` as &quot;, `<` as &lt;), and a link
// to another site is followed by ` rel=`, never by these class attributes.
const UP = [
  `UPDATE statuses
      SET content_html = regexp_replace(
            regexp_replace(content_html,
              '<a href="https?://[^"]*(/@[a-z0-9_]+)" class="u-url mention">',
              '<a href="\\1" class="u-url mention">', 'g'),
            '<a href="https?://[^"]*(/tags/[^"/]+)" class="mention hashtag" rel="tag">',
            '<a href="\\1" class="mention hashtag" rel="tag">', 'g')
    WHERE content_html LIKE '%<a href="http%" class="u-url mention">%'
       OR content_html LIKE '%<a href="http%" class="mention hashtag" rel="tag">%'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, UP);
}

// Nothing to undo: root-relative links are right under any PUBLIC_URL, and the old one is not known.
export async function down(): Promise<void> {}
