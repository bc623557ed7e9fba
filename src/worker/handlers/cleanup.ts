import type { Logger } from 'pino';
import type { Core } from '../../core/index.ts';

/** Removes expired sessions and ended rate-limit windows, then fails media stuck processing and removes unattached and orphaned media, and says how many. */
export async function cleanupHandler(core: Core, log: Logger): Promise<void> {
  const removed = await core.maintenance.deleteExpiredRows();
  log.info({ removed }, 'expired rows removed');
  const media = await core.maintenance.cleanUpMedia();
  log.info({ media }, 'stuck, unattached and orphaned media cleaned up');
}
