import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Database } from './db/schema.ts';
import type { Bus } from './jobs/bus.ts';
import type { MediaStorage } from './storage/storage.ts';

/** What every use case needs: the database and the configuration. Built once by buildCore. */
export interface CoreContext {
  readonly db: Kysely<Database>;
  readonly config: Config;
  /** Host (and port) of PUBLIC_URL: `@user@localHost` mentions are local. */
  readonly localHost: string;
  /** The job queue: events are published on the caller's transaction (jobs/bus.ts). */
  readonly bus: Bus;
  /** Where media bytes live (storage/storage.ts), shared by every process. */
  readonly storage: MediaStorage;
}
