import { parseDay, previousDay } from '../core/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';
import { withCore } from './open-core.ts';
import { progressBar } from './progress-bar.ts';

export const stats: Command = {
  name: 'stats',
  usage: 'stats --backfill --from YYYY-MM-DD [--to YYYY-MM-DD] [--force]',
  summary: 'compute the daily statistics of past days that have none (or, with --force, all of them again)',
  details: 'Days are UTC; --to defaults to yesterday. Re-computing a day replaces its row.',
  async run(args) {
    const { values } = parseCommandArgs('stats', args, {
      options: { backfill: { type: 'boolean', default: false }, from: { type: 'string' }, to: { type: 'string' }, force: { type: 'boolean', default: false } },
    });
    if (!values.backfill) throw new UsageError('say --backfill (the only action for now)', 'stats');
    if (!values.from) throw new UsageError('--from YYYY-MM-DD is required', 'stats');
    const from = parseDay(values.from, 'from');
    const to = values.to ? parseDay(values.to, 'to') : previousDay();
    if (from > to) throw new UsageError(`--from (${from}) is after --to (${to})`, 'stats');
    await withCore(async (core) => {
      const days = values.force ? await allDays(from, to) : await core.stats.missingStatsDays(from, to);
      if (days.length === 0) {
        console.log(`Every day from ${from} to ${to} already has its statistics.`);
        return;
      }
      const bar = await progressBar('Statistics [{bar}] {percentage}% | {value}/{total} days | {day} | {eta_formatted} left');
      const started = performance.now();
      bar.start(days.length, 0, { day: days[0] });
      try {
        for (const [i, day] of days.entries()) {
          await core.stats.computeDailyStats(day);
          bar.update(i + 1, { day });
        }
      } finally {
        bar.stop();
      }
      console.log(`Computed ${days.length} ${days.length === 1 ? 'day' : 'days'} (${from} to ${to}) in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    });
  },
};

async function allDays(from: string, to: string): Promise<string[]> {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
