import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden, QUEUE_NAMES, type Core, type QueueName } from '../../../core/index.ts';
import { adminJobsPage } from '../views/admin-jobs-page.ts';
import { pageContext, sendPage } from '../views/page-context.ts';
import { formField, type FormBody } from './form.ts';

function requireAdmin(request: FastifyRequest, reply: FastifyReply): boolean {
  if (!request.account) {
    void reply.redirect(`/auth/sign_in?return_to=${encodeURIComponent('/admin/jobs')}`, 303);
    return false;
  }
  if (!request.account.isAdmin) throw new Forbidden('This page is for administrators.');
  return true;
}

/** The admin view of the task manager's queues and of media storage. */
export function registerAdminJobs(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: { retried?: string } }>('/admin/jobs', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const [queues, failures, storage, video] = await Promise.all([core.jobs.overview(), core.jobs.recentFailures(20), core.media.mediaStorageOverview(10), core.media.videoSupport()]);
    const retried = /^\d{1,9}$/.test(request.query.retried ?? '') ? Number(request.query.retried) : undefined;
    return sendPage(reply, adminJobsPage({ ...pageContext(request, reply), current: 'admin' }, queues, failures, { retried, storage, video, heic: core.config.mediaHeifConvert !== undefined }));
  });

  app.post<{ Body: FormBody }>('/admin/jobs/retry', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const queue = formField(request.body, 'queue', 50);
    const moved = await core.jobs.retryDeadLetters(QUEUE_NAMES.includes(queue as QueueName) ? (queue as QueueName) : undefined);
    request.log.info({ queue, moved }, 'dead-lettered jobs retried');
    return reply.redirect(`/admin/jobs?retried=${moved}`, 303);
  });
}
