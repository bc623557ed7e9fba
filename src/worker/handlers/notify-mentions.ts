import type { Logger } from 'pino';
import type { Core, PostToNotify, QueueData, WorkJob } from '../../core/index.ts';
import { batched } from '../batched.ts';

type NotifyMentionsHandler = (job: WorkJob<QueueData['notify-mentions']>, log: Logger) => Promise<void>;

/** `post.created` → an in-app notification per mention and an email job for those who want one; a batch of jobs in one transaction. */
export function notifyMentionsHandler(core: Core): NotifyMentionsHandler {
  const notify = batched((posts: readonly PostToNotify[]) => core.notifications.notifyMentionsOfPosts(posts));
  return async (job, log) => {
    const result = await notify({ postId: job.data.postId, reqId: job.reqId });
    log.info({ postId: job.data.postId, ...result }, 'mentions notified');
  };
}
