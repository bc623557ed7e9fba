import { sql } from 'kysely';
import type { CoreContext } from './context.ts';
import { migrationsAreCurrent } from './db/migrate.ts';

/** Readiness: the database answers and no migration is pending. */
export async function checkReadiness(ctx: CoreContext): Promise<{ ready: boolean; reason?: string }> {
  try {
    await sql`SELECT 1`.execute(ctx.db);
  } catch {
    return { ready: false, reason: 'database unreachable' };
  }
  if (!(await migrationsAreCurrent(ctx.db))) return { ready: false, reason: 'migrations pending' };
  return { ready: true };
}
