import type { Logger } from 'pino';
import type { Core, QueueData, WorkJob } from '../../core/index.ts';

// follow.created, favourite.created, reblog.created → one notification each; post.edited → one per booster, made by the core
// idempotently (a repeated job makes none, a taken-back act none either).

/** `notify-follow`: "X followed you". */
export function notifyFollowHandler(core: Core) {
  return async (job: WorkJob<QueueData['notify-follow']>, log: Logger): Promise<void> => {
    const notified = await core.notifications.notifyFollow(job.data.followId);
    log.info({ followId: job.data.followId, notified }, 'follow notified');
  };
}

/** `notify-favourite`: "X favourited your post". */
export function notifyFavouriteHandler(core: Core) {
  return async (job: WorkJob<QueueData['notify-favourite']>, log: Logger): Promise<void> => {
    const notified = await core.notifications.notifyFavourite(job.data.favouriteId);
    log.info({ favouriteId: job.data.favouriteId, notified }, 'favourite notified');
  };
}

/** `notify-reblog`: "X boosted your post". */
export function notifyReblogHandler(core: Core) {
  return async (job: WorkJob<QueueData['notify-reblog']>, log: Logger): Promise<void> => {
    const notified = await core.notifications.notifyReblog(job.data.reblogId);
    log.info({ reblogId: job.data.reblogId, notified }, 'reblog notified');
  };
}

/** `notify-update`: "a post you boosted was edited". */
export function notifyUpdateHandler(core: Core) {
  return async (job: WorkJob<QueueData['notify-update']>, log: Logger): Promise<void> => {
    const notified = await core.notifications.notifyEdit(job.data.postId);
    log.info({ postId: job.data.postId, notified }, 'boosters told of the edit');
  };
}
