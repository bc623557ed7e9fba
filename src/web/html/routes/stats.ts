import type { FastifyInstance } from 'fastify';
import { previousDay, type Core } from '../../../core/index.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { daysWithStats, statsPage } from '../views/stats-page.ts';

const DAYS = 30;

/** Public statistics: a page with a chart and a table, and the same figures as JSON. */
export function registerStats(app: FastifyInstance, core: Core): void {
  app.get('/about/stats', async (request, reply) => {
    const until = previousDay();
    const stats = await core.stats.listDailyStats({ days: DAYS, until });
    return sendPage(reply, statsPage(pageContext(request, reply), daysWithStats(stats, until, DAYS)));
  });

  app.get('/api/pipit/v1/stats', async (_request, reply) => {
    const until = previousDay();
    const stats = await core.stats.listDailyStats({ days: DAYS, until });
    // The same for everyone and changed once a day.
    reply.header('Cache-Control', 'public, max-age=300');
    return {
      days: DAYS,
      until,
      stats: stats.map((s) => ({
        day: s.day,
        new_accounts: s.newAccounts,
        active_accounts: s.activeAccounts,
        posts: s.posts,
        replies: s.replies,
        mentions: s.mentions,
        emails_sent: s.emailsSent,
        emails_failed: s.emailsFailed,
      })),
    };
  });
}
