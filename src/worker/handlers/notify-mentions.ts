import type { Core, QueueData, WorkJob } from '../../core/index.ts';
import type { Logger } from 'pino';

/** `post.created` → an in-app notification per mention and an email job for those who want one. */
export async function notifyMentionsHandler(core: Core, job: WorkJob<QueueData['notify-mentions']>, log: Logger): Promise<void> {
  const result = await core.notifications.notifyMentions(job.data.postId);
  log.info({ postId: job.data.postId, ...result }, 'mentions notified');
}
