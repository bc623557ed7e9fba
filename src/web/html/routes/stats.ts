import type { FastifyInstance } from 'fastify';
import { previousDay, type Core } from '../../../core/index.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { daysWithStats, statsPage } from '../views/stats-page.ts';

export const STATS_DAYS = 30;

/** Public statistics: a page with a chart and a table (the same figures as JSON: api/routes/pipit-stats.ts). */
export function registerStats(app: FastifyInstance, core: Core): void {
  app.get('/about/stats', async (request, reply) => {
    const until = previousDay();
    const stats = await core.stats.listDailyStats({ days: STATS_DAYS, until });
    return sendPage(reply, statsPage(pageContext(request, reply), daysWithStats(stats, until, STATS_DAYS)));
  });
}
