import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as initial from './migrations/0001-initial.ts';
import * as taskManager from './migrations/0002-task-manager.ts';
import * as rootRelativePostLinks from './migrations/0003-root-relative-post-links.ts';
import * as expiryIndexes from './migrations/0004-expiry-indexes.ts';
import * as social from './migrations/0005-social.ts';
import * as oauth from './migrations/0006-oauth.ts';
import * as idempotencyKeys from './migrations/0007-idempotency-keys.ts';
import * as accountSettings from './migrations/0008-account-settings.ts';
import * as statusEdits from './migrations/0009-status-edits.ts';
import * as media from './migrations/0011-media.ts';
import * as mediaCleanup from './migrations/0012-media-cleanup.ts';
import * as avatars from './migrations/0013-avatars.ts';
import * as editMedia from './migrations/0016-edit-media.ts';

// A static list rather than a folder scan: works the same from any working directory, and type-checks.
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-task-manager': taskManager,
  '0003-root-relative-post-links': rootRelativePostLinks,
  '0004-expiry-indexes': expiryIndexes,
  '0005-social': social,
  '0006-oauth': oauth,
  '0007-idempotency-keys': idempotencyKeys,
  '0008-account-settings': accountSettings,
  '0009-status-edits': statusEdits,
  '0011-media': media,
  '0012-media-cleanup': mediaCleanup,
  '0013-avatars': avatars,
  '0016-edit-media': editMedia,
};

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'pipit_migrations',
    migrationLockTableName: 'pipit_migrations_lock',
  });
}

/** Applies every pending migration; throws the first failure. Safe to run from several processes at once. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when no migration is pending (readiness). */
export async function migrationsAreCurrent(db: Kysely<any>): Promise<boolean> {
  const migrations = await migrator(db).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}
