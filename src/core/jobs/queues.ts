import type { EventName } from '../events.ts';

// Every queue of the task manager and its policy, in one place. Retries back off exponentially with
// jitter (pg-boss: retryDelay · 2^n, randomised, capped at retryDelayMax); a job that exhausts its
// retries lands in the queue's dead-letter queue, where `pipit jobs` and the admin page show it and
// can send it back. `expireInSeconds` bounds one attempt: a worker that dies mid-job gives the job
// back after it, and another attempt starts (so handlers are idempotent).

export interface QueueDeclaration {
  /** Events whose every occurrence becomes a job here (pg-boss publish/subscribe). */
  readonly events: readonly EventName[];
  readonly retryLimit: number;
  /** First retry delay in seconds; doubled (with jitter) at each retry. */
  readonly retryDelay: number;
  readonly retryDelayMax: number;
  readonly expireInSeconds: number;
  /** Jobs run at once per worker process. */
  readonly concurrency: number;
  readonly description: string;
}

export const QUEUES = {
  'notify-mentions': {
    // An edit notifies only who its new text mentions first: the rows are keyed per recipient and post.
    events: ['post.created', 'post.edited'],
    retryLimit: 6,
    retryDelay: 2,
    retryDelayMax: 600,
    expireInSeconds: 60,
    concurrency: 16,
    description: 'An in-app notification per mentioned account, and an email job for those who want one (an edit: the newly mentioned only).',
  },
  'notify-follow': {
    events: ['follow.created'],
    retryLimit: 6,
    retryDelay: 2,
    retryDelayMax: 600,
    expireInSeconds: 60,
    concurrency: 8,
    description: 'A follow notification for the followed account (once per follower; none if already unfollowed).',
  },
  'notify-favourite': {
    events: ['favourite.created'],
    retryLimit: 6,
    retryDelay: 2,
    retryDelayMax: 600,
    expireInSeconds: 60,
    concurrency: 8,
    description: "A favourite notification for the post's author (once per favouriting account; none to yourself).",
  },
  'notify-reblog': {
    events: ['reblog.created'],
    retryLimit: 6,
    retryDelay: 2,
    retryDelayMax: 600,
    expireInSeconds: 60,
    concurrency: 8,
    description: "A boost notification for the post's author (once per boosting account; none to yourself).",
  },
  'notify-update': {
    events: ['post.edited'],
    retryLimit: 6,
    retryDelay: 2,
    retryDelayMax: 600,
    expireInSeconds: 60,
    concurrency: 8,
    description: 'An update notification for each account that boosted an edited post (one per booster and post, brought back up by each edit).',
  },
  'send-email': {
    events: [],
    // About 9 hours of trying before a message goes to the dead-letter queue.
    retryLimit: 10,
    retryDelay: 15,
    retryDelayMax: 3600,
    expireInSeconds: 120,
    concurrency: 32,
    description: 'The mention emails of one post (each keyed per recipient, so a repeated job never sends one twice).',
  },
  // The media pipeline (media/pipeline.ts): an upload's row enqueues its probe on the same transaction,
  // and the probe enqueues the tasks the file needs. A refused file is marked failed at once (no retry);
  // storage and database errors are retried, and the last failed attempt marks the attachment failed.
  'media-probe': {
    events: [],
    retryLimit: 5,
    retryDelay: 2,
    retryDelayMax: 120,
    expireInSeconds: 60,
    concurrency: 4,
    description: 'Reads what an upload really is (from its content) and whether Pipit accepts it, then queues its processing.',
  },
  'media-image': {
    events: [],
    retryLimit: 5,
    retryDelay: 2,
    retryDelayMax: 120,
    expireInSeconds: 300,
    // libvips runs each image on several threads of its own: two at once keep a small machine responsive.
    concurrency: 2,
    description: 'Writes an image\'s served original (oriented, without metadata), its small preview and blurhash.',
  },
  // Transcoding is the heaviest work Pipit has: one at a time per worker (ffmpeg itself uses
  // MEDIA_FFMPEG_THREADS), few retries (a file that fails to decode is failed at once, not retried), and
  // an attempt long enough for MEDIA_TRANSCODE_TIMEOUT_SECONDS (at most 1,700) to be reached first: a
  // worker killed mid-transcode gives the job back after it, and the next attempt starts over.
  'media-video': {
    events: [],
    retryLimit: 2,
    retryDelay: 30,
    retryDelayMax: 600,
    expireInSeconds: 1800,
    concurrency: 1,
    description: 'Transcodes a video or animated GIF into an H.264 MP4 (faststart) and an audio file into MP3, with their meta.',
  },
  'media-thumbnail': {
    events: [],
    retryLimit: 3,
    retryDelay: 5,
    retryDelayMax: 300,
    expireInSeconds: 300,
    concurrency: 2,
    description: "Takes a video's poster frame and makes its small preview (WebP) and blurhash.",
  },
  'daily-stats': {
    events: [],
    retryLimit: 4,
    retryDelay: 60,
    retryDelayMax: 1800,
    expireInSeconds: 900,
    concurrency: 1,
    description: "Yesterday's figures, on the STATS_CRON schedule (one run per slot across all workers).",
  },
  cleanup: {
    events: [],
    retryLimit: 3,
    retryDelay: 60,
    retryDelayMax: 900,
    expireInSeconds: 900,
    concurrency: 1,
    description: 'Removes expired sessions and ended rate-limit windows, uploads unattached for a day and media files no row names, every hour (one run per slot across all workers).',
  },
} as const satisfies Record<string, QueueDeclaration>;

export type QueueName = keyof typeof QUEUES;

export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/**
 * Reads a comma-separated list of queue names (WORKER_QUEUES): every name must be one declared above,
 * so a typo stops the worker at start-up rather than leaving a queue silently unserved.
 */
export function parseQueueList(raw: string): { queues: QueueName[] } | { error: string } {
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) return { error: `must name at least one queue (leave it unset for all): ${QUEUE_NAMES.join(', ')}` };
  const unknown = names.filter((name) => !(QUEUE_NAMES as string[]).includes(name));
  if (unknown.length > 0) {
    return { error: `${unknown.map((name) => JSON.stringify(name)).join(', ')} ${unknown.length === 1 ? 'is not a queue' : 'are not queues'}; the queues are: ${QUEUE_NAMES.join(', ')}` };
  }
  return { queues: [...new Set(names as QueueName[])] };
}

/** What each queue's jobs carry (besides `reqId`). */
export interface QueueData {
  'notify-mentions': { postId: string; authorId: string };
  'notify-follow': { followId: string; accountId: string; targetAccountId: string };
  'notify-favourite': { favouriteId: string; accountId: string; postId: string };
  'notify-reblog': { reblogId: string; accountId: string; postId: string };
  'notify-update': { postId: string; authorId: string };
  'send-email': { deliveryIds: string[] };
  'media-probe': { mediaId: string };
  'media-image': { mediaId: string };
  'media-video': { mediaId: string };
  'media-thumbnail': { mediaId: string };
  'daily-stats': { day?: string };
  cleanup: Record<string, never>;
}

/** The dead-letter queue of a queue. */
export function deadLetterQueue(name: QueueName): string {
  return `${name}-dead`;
}

/** Days a dead-lettered job is kept for inspection and redrive. */
export const DEAD_LETTER_RETENTION_SECONDS = 30 * 24 * 3600;
