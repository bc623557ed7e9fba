import { sql } from 'kysely';
import type { CoreContext } from './context.ts';
import { migrationsAreCurrent } from './db/migrate.ts';

export interface Readiness {
  ready: boolean;
  reason?: string;
}

/**
 * Readiness: the database answers and no migration is pending. Migrations can only become current
 * while a process runs (someone runs `pipit migrate`), never pending again, so the catalogue is read
 * at start and, only while it was behind, at each probe; once current, a probe is one round trip
 * (reading the catalogue costs ~50 ms on PGlite, whose one connection every request waits for).
 */
export async function readinessCheck(ctx: CoreContext, options: { migrated: boolean }): Promise<() => Promise<Readiness>> {
  let current = options.migrated || (await migrationsAreCurrent(ctx.db));
  return async () => {
    try {
      await sql`SELECT 1`.execute(ctx.db);
      if (!current) current = await migrationsAreCurrent(ctx.db);
    } catch {
      return { ready: false, reason: 'database unreachable' };
    }
    return current ? { ready: true } : { ready: false, reason: 'migrations pending' };
  };
}
