import type { Logger } from 'pino';
import { previousDay, type Core, type QueueData, type WorkJob } from '../../core/index.ts';

/** The cron slot's previous UTC day (or the day asked for), computed and stored. */
export async function dailyStatsHandler(core: Core, job: WorkJob<QueueData['daily-stats']>, log: Logger): Promise<void> {
  // The job's creation time is its cron slot, so a run that starts late still computes the right day.
  const day = job.data.day ?? previousDay(job.createdOn);
  const stats = await core.stats.computeDailyStats(day);
  log.info({ stats }, 'daily statistics computed');
  // Once a day is also when the embedded database gets fresh planner statistics.
  await core.refreshPlannerStatistics();
}
