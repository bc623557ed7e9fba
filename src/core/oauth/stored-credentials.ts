import { sql } from 'kysely';
import type { CoreContext } from '../context.ts';

/** Every row of the three OAuth tables as JSON text, exactly as stored: lets an audit (or a test) check that no secret is kept in clear. */
export async function storedOAuthRows(ctx: CoreContext): Promise<string[]> {
  const result = await sql<{ row: string }>`
    SELECT row_to_json(a)::text AS row FROM oauth_applications a
    UNION ALL SELECT row_to_json(c)::text FROM oauth_authorization_codes c
    UNION ALL SELECT row_to_json(t)::text FROM oauth_access_tokens t`.execute(ctx.db);
  return result.rows.map((r) => r.row);
}
