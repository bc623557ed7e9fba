import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

const DEADLOCK = '40P01';
const ATTEMPTS = 3;

/**
 * Runs `work` in a transaction, again (up to three times) when PostgreSQL broke a deadlock by aborting
 * it: two people following each other at the same moment update the same two account rows.
 */
export async function transactionWithRetry<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if ((error as { code?: string })?.code !== DEADLOCK || attempt >= ATTEMPTS) throw error;
    }
  }
}
