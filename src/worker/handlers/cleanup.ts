import type { Logger } from 'pino';
import type { Core } from '../../core/index.ts';

/** Removes expired sessions and ended rate-limit windows, and says how many. */
export async function cleanupHandler(core: Core, log: Logger): Promise<void> {
  const removed = await core.maintenance.deleteExpiredRows();
  log.info({ removed }, 'expired rows removed');
}
