import type { FastifyInstance } from 'fastify';
import { previousDay, type Core } from '../../../core/index.ts';
import { describe } from '../docs/describe.ts';
import { arr, int, obj, str } from '../serializers/schema.ts';

const DAYS = 30;

const statsSchema = obj({
  days: int,
  until: str,
  stats: arr(obj({ day: str, new_accounts: int, active_accounts: int, posts: int, replies: int, mentions: int, emails_sent: int, emails_failed: int })),
});

/** GET /api/pipit/v1/stats: the daily figures of the /about/stats page, as JSON. */
export function registerPipitStats(scope: FastifyInstance, core: Core): void {
  scope.get('/pipit/v1/stats', { schema: { ...describe('Pipit', 'Daily figures of the last 30 days (the /about/stats page)'), response: { 200: statsSchema } } }, async (_request, reply) => {
    const until = previousDay();
    const stats = await core.stats.listDailyStats({ days: DAYS, until });
    // The same for everyone and changed once a day (this overrides the API's no-store).
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
