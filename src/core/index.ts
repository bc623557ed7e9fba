import type { Config } from './config.ts';
import type { CoreContext } from './context.ts';
import { connect, pgliteDirectory } from './db/connection.ts';
import { migrateToLatest } from './db/migrate.ts';
import { analyze, analyzeNeverAnalyzed } from './db/planner-statistics.ts';
import * as accounts from './accounts/accounts.ts';
import * as profile from './accounts/profile.ts';
import * as accountSearch from './accounts/search.ts';
import * as profileImages from './accounts/profile-images.ts';
import * as markers from './markers/markers.ts';
import * as tags from './posts/tags.ts';
import * as sessions from './sessions/sessions.ts';
import * as posts from './posts/posts.ts';
import * as editPost from './posts/edit-post.ts';
import * as timelines from './posts/timelines.ts';
import * as thread from './posts/thread.ts';
import * as postSearch from './posts/search.ts';
import * as follows from './follows/follows.ts';
import * as favourites from './interactions/favourites.ts';
import * as reblogs from './interactions/reblogs.ts';
import * as bookmarks from './interactions/bookmarks.ts';
import * as interactionNotifications from './notifications/interaction-notifications.ts';
import * as rateLimits from './rate-limits/rate-limits.ts';
import { readinessCheck } from './health.ts';
import { releaseAbandonedEmailClaims } from './notifications/abandoned-claims.ts';
import { seed } from './seed/seed.ts';
import * as notifications from './notifications/notifications.ts';
import * as emailDeliveries from './notifications/email-deliveries.ts';
import * as dailyStats from './stats/daily-stats.ts';
import * as expiredRows from './maintenance/expired-rows.ts';
import * as counterDrift from './maintenance/counter-drift.ts';
import * as oauth from './oauth/index.ts';
import * as instance from './instance/instance.ts';
import * as media from './media/media.ts';
import * as mediaPipeline from './media/pipeline.ts';
import * as avPipeline from './media/av-pipeline.ts';
import * as mediaCleanup from './media/cleanup.ts';
import * as mediaStorageUsage from './media/storage-usage.ts';
import { mediaStorage } from './storage/choose.ts';
import { startBus } from './jobs/bus.ts';
import type { BusOptions } from './jobs/bus-types.ts';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics.ts';
import { bindAll, mergeUseCases } from './use-cases.ts';
import { isServedKey } from './media/keys.ts';
import type { ByteRange } from './storage/storage.ts';
import { videoSupport } from './media/ffmpeg-runner.ts';

export type { Config } from './config.ts';
export { loadConfig, ConfigError } from './config.ts';
export type { TrustProxy } from './trust-proxy.ts';
export * from './domain/errors.ts';
export type { Account } from './accounts/account-view.ts';
export { DISPLAY_NAME_MAX, NOTE_MAX, type ProfileChanges } from './accounts/profile.ts';
export type { AuthorCard, Post, PostCard, PostMention } from './posts/post-view.ts';
export type { EditPostInput, PostRevision } from './posts/edit-post.ts';
export type { PageRequest } from './posts/page.ts';
export type { TimelineOptions, AccountStatusesOptions } from './posts/timelines.ts';
export type { ThreadContext } from './posts/thread.ts';
export type { Viewer } from './posts/visibility.ts';
export type { Relationship } from './follows/relationship.ts';
export type { AccountSettings } from './accounts/profile.ts';
export type { AccountSearch } from './accounts/search.ts';
export type { ProfileImageChanges } from './accounts/profile-images.ts';
export { AVATAR_SIZE, AVATAR_SMALL_SIZE, HEADER_WIDTH, HEADER_HEIGHT } from './accounts/profile-images.ts';
export type { Marker } from './markers/markers.ts';
export { MARKER_TIMELINES } from './markers/markers.ts';
export type { Tag } from './posts/tags.ts';
export type { NotificationFilter } from './notifications/notification-query.ts';
export { NOTIFICATION_TYPES, MAX_NOTIFICATIONS_PAGE } from './notifications/notification-query.ts';
export type { FollowOptions, AccountEntry } from './follows/follows.ts';
export type { PostEntry } from './interactions/post-entries.ts';
export type { ReblogOptions } from './interactions/reblogs.ts';
export type { Visibility, NotificationType, MarkerTimeline } from './db/schema.ts';
export { isId, compareIds } from './domain/ids.ts';
export { postLength, RAW_FACTOR, URL_LENGTH } from './domain/post-text.ts';
export { PIPIT_VERSION } from './version.ts';
export type { InstanceFacts } from './instance/instance.ts';
export { escapeHtml } from './domain/html.ts';
export { absoluteLinks, profilePath, postPath, tagPath, profileUrl, postUrl, tagUrl, mediaPath, mediaUrl, type SiteUrls } from './urls.ts';
export type { MediaAttachment } from './media/media-view.ts';
export { blurhashPng } from './media/blurhash-png.ts';
export type { MediaVariantMeta as MediaVariantMetaView, MediaOriginalMeta as MediaOriginalMetaView } from './db/schema.ts';
export type { UploadInput, MediaChanges } from './media/media.ts';
export type { StoredObject, StoredEntry, ByteRange } from './storage/storage.ts';
export type { MediaStorageOverview, AccountStorage } from './media/storage-usage.ts';
export type { MediaCleanupResult } from './media/cleanup.ts';
export { UNATTACHED_TTL_MS, ORPHAN_AGE_MS, PROCESSING_TTL_MS, GAVE_UP_REASON } from './media/cleanup.ts';
export type { StepOutcome } from './media/pipeline.ts';
export { DESCRIPTION_MAX } from './media/media.ts';
export { MAX_ATTACHMENTS, NOT_READY_MESSAGE } from './media/attach.ts';
export { isServedKey } from './media/keys.ts';
export { AV_MIME_TYPES, MEDIA_MIME_TYPES, attachmentMimeTypes } from './media/formats.ts';
export type { EventName, EventPayloads } from './events.ts';
export { QUEUES, QUEUE_NAMES, deadLetterQueue, type QueueName, type QueueData, type QueueDeclaration } from './jobs/queues.ts';
export type { WorkJob, QueueCounts, JobFailure, BusOptions, JobProcess } from './jobs/bus-types.ts';
export type { JobHandler } from './jobs/workers.ts';
export { runWithRequestId, currentRequestId } from './jobs/request-context.ts';
export type { Notification, PostToNotify } from './notifications/notifications.ts';
export type { MentionEmail, EmailClaim } from './notifications/email-deliveries.ts';
export type { DailyStats } from './stats/daily-stats.ts';
export type { ExpiredRowsRemoved } from './maintenance/expired-rows.ts';
export type { CounterDrift } from './maintenance/counter-drift.ts';
export { clientSubject } from './rate-limits/client-subject.ts';
export type { RateRule, RateState } from './rate-limits/rate-limits.ts';
export { metrics, metricsAccess, METRICS_REFUSALS, type MetricsAccess, type MetricsClient } from './metrics.ts';
export { parseDay, previousDay } from './stats/days.ts';
export type { OAuthApp, RegisteredApp, AppRegistration } from './oauth/applications.ts';
export type { AuthorizationRequest, AuthorizationInput } from './oauth/authorization.ts';
export type { IssuedToken, TokenOwner, CodeExchange } from './oauth/tokens.ts';
export type { AuthorizedApp } from './oauth/authorized-apps.ts';
export { OAuthError, type OAuthErrorCode } from './oauth/oauth-error.ts';
export { AuthorizationRefused, isOutOfBand, CODE_LIFETIME_MS } from './oauth/authorization.ts';
export { KNOWN_SCOPES, scopeAllows, scopesWithin, joinScopes } from './domain/oauth-scopes.ts';
export { OOB_REDIRECT_URI, withQueryParameters } from './domain/redirect-uris.ts';

export interface BuildCoreOptions {
  /** Apply pending migrations on start (default true; `pipit web` behind `pipit migrate` may skip it). */
  migrate?: boolean;
  /** Override where PGlite lives (tests use `memory://`). */
  pgliteDir?: string;
  /** With `pgliteDir: 'memory://'`: start from this database archive (tests: a migrated empty one). */
  pgliteArchive?: Blob;
  /** Job queue timings (tests shorten them); the queue policies themselves are in jobs/queues.ts. */
  jobs?: BusOptions;
  /**
   * What the process is for (default `all`): `web` and `command` (one-shot commands) leave the job
   * queue's maintenance and cron schedules to the processes that run workers (`worker`, `all`).
   */
  role?: ProcessRole;
  /** Called with the SQL of every statement the core's own queries run (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

export type ProcessRole = 'all' | 'web' | 'worker' | 'command';

function databaseOptions(config: Config) {
  return {
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.databaseIdleInTransactionTimeoutMs,
  };
}

/** Opens the database, applies migrations and returns every use case bound to it. */
export async function buildCore(config: Config, options: BuildCoreOptions = {}) {
  const handle = await connect({
    ...databaseOptions(config),
    pgliteDir: options.pgliteDir ?? pgliteDirectory(config.dataDir),
    ...(options.pgliteArchive ? { pgliteArchive: options.pgliteArchive } : {}),
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  const role = options.role ?? 'all';
  const migrate = options.migrate ?? true;
  let bus: Awaited<ReturnType<typeof startBus>>;
  let ctx: CoreContext;
  let readiness: Awaited<ReturnType<typeof readinessCheck>>;
  try {
    if (migrate) await migrateToLatest(handle.db);
    bus = await startBus(handle, config, {
      migrate,
      maintenance: role === 'all' || role === 'worker',
      instanceName: `pipit-${role}`,
      ...options.jobs,
    });
    // After the job queue, so a new database's pg-boss tables are analyzed too.
    if (handle.kind === 'pglite') await analyzeNeverAnalyzed(handle.db);
    // Media under DATA_DIR/media or in an S3-compatible bucket (MEDIA_STORAGE), shared by every process.
    const storage = await mediaStorage(config);
    ctx = { db: handle.db, config, localHost: new URL(config.publicUrl).host, bus, storage };
    if (handle.kind === 'pglite') {
      // The embedded database is this process's alone (the directory lock): whatever a killed
      // predecessor held is handed back now rather than after its expiry or lease.
      await releaseAbandonedEmailClaims(ctx);
      await bus.handBackAbandoned();
    }
    readiness = await readinessCheck(ctx, { migrated: migrate });
  } catch (error) {
    await handle.close();
    throw error;
  }
  return {
    config,
    databaseKind: handle.kind,
    accounts: mergeUseCases('accounts', bindAll(ctx, accounts), bindAll(ctx, profile), bindAll(ctx, accountSearch), bindAll(ctx, profileImages)),
    /** Where each account stopped reading (home, notifications), shared by its apps. */
    markers: bindAll(ctx, markers),
    /** Hashtags some post has used: by name, by the start of it. */
    tags: bindAll(ctx, tags),
    sessions: bindAll(ctx, sessions),
    posts: mergeUseCases('posts', bindAll(ctx, posts), bindAll(ctx, editPost), bindAll(ctx, timelines), bindAll(ctx, thread), bindAll(ctx, postSearch)),
    follows: bindAll(ctx, follows),
    interactions: mergeUseCases('interactions', bindAll(ctx, favourites), bindAll(ctx, reblogs), bindAll(ctx, bookmarks)),
    rateLimits: mergeUseCases('rateLimits', bindAll(ctx, rateLimits), { rules: rateLimits.RATE_RULES }),
    /** Database reachable and migrations current; after start, one round trip per call. */
    readiness,
    /** Refreshes planner statistics where nothing else does (the embedded database has no autovacuum). */
    refreshPlannerStatistics: async () => {
      if (handle.kind === 'pglite') await analyze(handle.db);
    },
    seed: (options: Parameters<typeof seed>[1]) => seed(ctx, options),
    notifications: mergeUseCases('notifications', bindAll(ctx, notifications), bindAll(ctx, emailDeliveries), bindAll(ctx, interactionNotifications)),
    stats: bindAll(ctx, dailyStats),
    /** The OAuth 2.0 authorization server: apps, codes, tokens (hashed), revocation. */
    oauth: bindAll(ctx, oauth),
    /** Uploads (owner-only), the pipeline's steps (the media queues), storage used (admin), and reading stored files to serve them. */
    media: mergeUseCases('media', bindAll(ctx, media), bindAll(ctx, mediaPipeline), bindAll(ctx, { transcodeMedia: avPipeline.transcodeMedia, thumbnailMedia: avPipeline.thumbnailMedia }), bindAll(ctx, mediaStorageUsage), {
      /** A served file (original or preview) by key; undefined for any other key or a missing file. */
      readFile: async (key: string, options?: { range?: (size: number) => ByteRange | undefined }) => (isServedKey(key) ? ctx.storage.get(key, options) : undefined),
      /** Whether this process can take video and audio (ffmpeg and ffprobe found), and if not, why. */
      videoSupport: () => videoSupport(config),
    }),
    /** What the discovery documents (instance, nodeinfo) say about the site. */
    instance: bindAll(ctx, instance),
    /** Housekeeping (the `cleanup` job): expired sessions and ended rate-limit windows, unattached and orphaned media; and the counters' check. */
    maintenance: mergeUseCases('maintenance', bindAll(ctx, expiredRows), bindAll(ctx, counterDrift), bindAll(ctx, mediaCleanup)),
    /** This process's Prometheus metrics, queue gauges counted at each call. */
    metrics: { contentType: METRICS_CONTENT_TYPE, text: () => metricsText(bus.overview) },
    /** The task manager: handlers, schedules and the view of the queues (the worker and admin pages). */
    jobs: {
      work: bus.work,
      schedule: bus.schedule,
      schedules: bus.schedules,
      send: bus.send,
      policy: bus.policy,
      overview: bus.overview,
      recentFailures: bus.recentFailures,
      retryDeadLetters: bus.retryDeadLetters,
      onProblem: bus.onProblem,
      stopWorkers: bus.stopWorkers,
      processes: bus.processes,
    },
    /** Stops the job queue (letting running jobs finish, bounded), then closes the database. */
    close: async () => {
      try {
        await bus.stop();
      } finally {
        await handle.close();
      }
    },
  };
}

export type Core = Awaited<ReturnType<typeof buildCore>>;

/** Applies migrations and closes (`pipit migrate`). */
export async function migrate(config: Config): Promise<string[]> {
  // Without the statement timeout: a migration may rightly take long on a large table.
  const handle = await connect({ ...databaseOptions(config), statementTimeoutMs: 0, pgliteDir: pgliteDirectory(config.dataDir) });
  try {
    const applied = await migrateToLatest(handle.db);
    // Installs or upgrades the job queue's own tables too, so `pipit web --no-migrate` finds them.
    const bus = await startBus(handle, config, { maintenance: false, instanceName: 'pipit-migrate' });
    await bus.stop();
    return applied;
  } finally {
    await handle.close();
  }
}
export { isConnectionError as isDatabaseUnavailable } from './db/errors.ts';
export { reportThrottle, OUTAGE_REPORT_INTERVAL_MS } from './report-throttle.ts';
export { DatabaseInUse } from './db/pglite-lock.ts';
