// The catalogue of domain events: the contract between the parts that write (web, API, CLI) and the
// handlers that react (the worker). Payloads carry ids only: a handler re-reads what it needs, so a
// late or repeated job sees the current truth (a deleted post, a changed setting), never a stale copy.
// `reqId` is the request that caused the event; every log line of every handler it triggers carries it.

export interface EventPayloads {
  /** A post was committed (with its mentions and tags). */
  'post.created': { postId: string; authorId: string };
  /** A post was edited by its author (its text, mentions and tags are the new ones). */
  'post.edited': { postId: string; authorId: string };
  /** A post was deleted by its author. */
  'post.deleted': { postId: string; authorId: string };
  /** Someone signed up (or an account was made from the terminal). */
  'account.created': { accountId: string };
  /** `accountId` started following `targetAccountId` (the follows row `followId`). */
  'follow.created': { followId: string; accountId: string; targetAccountId: string };
  /** `accountId` favourited the post `postId` (the favourites row `favouriteId`). */
  'favourite.created': { favouriteId: string; accountId: string; postId: string };
  /** `accountId` boosted the post `postId`; the boost is the status `reblogId`. */
  'reblog.created': { reblogId: string; accountId: string; postId: string };
}

export type EventName = keyof EventPayloads;

export const EVENT_NAMES: readonly EventName[] = ['post.created', 'post.edited', 'post.deleted', 'account.created', 'follow.created', 'favourite.created', 'reblog.created'];

/** What travels in every job: the event's ids plus the request id that caused it. */
export type JobData<T> = T & { reqId?: string | undefined };
