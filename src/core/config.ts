import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.ts';
import { parseQueueList, QUEUE_NAMES, type QueueName } from './jobs/queues.ts';
import { findExecutable } from './executables.ts';

/** The one place that reads the environment (twelve-factor); everything else receives a Config. */

const NODE_ENVS = ['development', 'test', 'production'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MEDIA_STORAGES = ['local', 's3'] as const;

const schema = z
  .object({
    NODE_ENV: z.enum(NODE_ENVS).default('development'),
    PORT: z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (leave it unset for the embedded database)')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    SECRET_KEY: z.string().min(32, 'must be at least 32 characters (try: openssl rand -hex 32)').optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
    MAX_POST_LENGTH: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(100_000).default(500),
    API_RATE_LIMIT: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(1_000_000).default(300),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((raw, ctx) => {
        const parsed = parseTrustProxy(raw);
        if ('value' in parsed) return parsed.value;
        ctx.issues.push({ code: 'custom', message: parsed.error, input: raw });
        return z.NEVER;
      }),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps:// (leave it unset to write mail to DATA_DIR/mail)')
      .optional(),
    SMTP_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number').min(1).max(600).default(30),
    MAIL_FROM: z.string().min(3).max(320).optional(),
    STATS_CRON: z
      .string()
      .regex(/^\S+( \S+){4,5}$/, 'must be a cron expression such as "5 0 * * *" (minute hour day month weekday, UTC)')
      .default('5 0 * * *'),
    WORKER_QUEUES: z
      .string()
      .max(2000)
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return QUEUE_NAMES;
        const parsed = parseQueueList(raw);
        if ('queues' in parsed) return parsed.queues;
        ctx.issues.push({ code: 'custom', message: parsed.error, input: raw });
        return z.NEVER;
      }),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (try: openssl rand -hex 24)').max(200).optional(),
    METRICS_OPEN: z.stringbool({ error: 'must be true or false' }).default(false),
    METRICS_PORT: z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535).default(9464),
    DATABASE_POOL_SIZE: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(200).default(10),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number').min(0).max(3_600_000).default(30_000),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number').min(0).max(3_600_000).default(60_000),
    MEDIA_MAX_IMAGE_BYTES: z.coerce.number({ error: 'must be a number of bytes' }).int('must be a whole number').min(1024).max(1024 * 1024 * 1024).default(16 * 1024 * 1024),
    MEDIA_MAX_IMAGE_PIXELS: z.coerce.number({ error: 'must be a number of pixels' }).int('must be a whole number').min(1).max(1_000_000_000).default(33_177_600),
    MEDIA_UPLOAD_WAIT_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).min(0).max(60).default(10),
    MEDIA_HEIF_CONVERT: z.string().min(1).max(1000).regex(/^[^\s]+$/, 'must be a command name or a path, without spaces (or off)').default('heif-convert'),
    MEDIA_QUOTA_MB: z.coerce.number({ error: 'must be a number of megabytes (0: no quota)' }).int('must be a whole number').min(0).max(100_000_000).default(1024),
    MEDIA_STORAGE: z.enum(MEDIA_STORAGES, { error: 'must be local (files under DATA_DIR/media) or s3 (an S3-compatible store)' }).default('local'),
    MEDIA_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL where the stored files are served, such as https://cdn.example.com/media' }).max(500).optional(),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens')
      .optional(),
    S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the S3-compatible service, such as https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000' }).max(500).optional(),
    S3_REGION: z.string().regex(/^[a-z0-9-]{1,50}$/, 'must be a region name such as us-east-1 (or auto, for Cloudflare R2)').default('us-east-1'),
    S3_FORCE_PATH_STYLE: z.stringbool({ error: 'must be true or false' }).default(false),
    S3_ACCESS_KEY_ID: z.string().min(1).max(500).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).max(500).optional(),
    MEDIA_MAX_VIDEO_BYTES: z.coerce.number({ error: 'must be a number of bytes' }).int('must be a whole number').min(1024).max(4 * 1024 * 1024 * 1024).default(100 * 1024 * 1024),
    MEDIA_MAX_VIDEO_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).min(1).max(24 * 3600).default(300),
    MEDIA_MAX_VIDEO_PIXELS: z.coerce.number({ error: 'must be a number of pixels' }).int('must be a whole number').min(1).max(100_000_000).default(3840 * 2160),
    MEDIA_MAX_VIDEO_FRAME_RATE: z.coerce.number({ error: 'must be a number of frames per second' }).min(1).max(1000).default(120),
    MEDIA_MAX_GIF_FRAMES: z.coerce.number({ error: 'must be a number of frames' }).int('must be a whole number').min(2).max(100_000).default(3000),
    MEDIA_TRANSCODE_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number').min(5).max(1700, 'must be at most 1700 (the media-video queue gives an attempt 1800 s)').default(1200),
    MEDIA_TOOL_MEMORY_MB: z.coerce.number({ error: 'must be a number of megabytes' }).int('must be a whole number').min(256).max(1_000_000).default(2048),
    MEDIA_FFMPEG_THREADS: z.coerce.number({ error: 'must be a number of threads' }).int('must be a whole number').min(1).max(64).default(2),
    FFMPEG_PATH: z.string().min(1).max(1000).default('ffmpeg'),
    FFPROBE_PATH: z.string().min(1).max(1000).default('ffprobe'),
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).min(0).max(60).default(2),
  });

type Env = Record<string, string | undefined>;

export type NodeEnv = (typeof NODE_ENVS)[number];

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly port: number;
  readonly host: string;
  /** Absolute base URL for links, without a trailing slash. */
  readonly publicUrl: string;
  /** `undefined` selects the embedded PGlite database under `dataDir/db`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly secretKey: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly maxPostLength: number;
  /** API calls per 5 minutes per client (token, else IP): Mastodon's 300 by default. */
  readonly apiRateLimit: number;
  /** Which X-Forwarded-* hops to believe: none, a hop count, or the proxies' addresses (see trust-proxy.ts). */
  readonly trustProxy: TrustProxy;
  /** Cookies get `Secure` and the `__Host-` prefix when the public URL is https. */
  readonly secureCookies: boolean;
  /** `smtp(s)://user:pass@host:port`; `undefined` writes each message to `dataDir/mail` as an .eml file. */
  readonly smtpUrl: string | undefined;
  /** How long the SMTP server may stay silent in a conversation (connecting: at most 10 s of it). */
  readonly smtpTimeoutSeconds: number;
  /** The From address of Pipit's emails. */
  readonly mailFrom: string;
  /** When the daily statistics run (cron, UTC). */
  readonly statsCron: string;
  /** The queues `pipit worker` (and `pipit start`) takes jobs from: all unless WORKER_QUEUES names some. */
  readonly workerQueues: readonly QueueName[];
  /** Bearer token that /metrics requires; without one, see metricsOpen. */
  readonly metricsToken: string | undefined;
  /**
   * Without a token: `true` serves metrics to any address (an explicit choice, in any mode); `false`
   * (default) only to this machine (loopback) in development and test, and to no one in production.
   */
  readonly metricsOpen: boolean;
  /** Where `pipit worker` serves its metrics (0: nowhere); the web serves them at /metrics. */
  readonly metricsPort: number;
  /** Connections each process keeps to PostgreSQL for its requests (the job queue has its own few). */
  readonly databasePoolSize: number;
  /** PostgreSQL's statement_timeout for Pipit's queries (0: none); `pipit migrate` runs without it. */
  readonly databaseStatementTimeoutMs: number;
  /** PostgreSQL's idle_in_transaction_session_timeout (0: none). */
  readonly databaseIdleInTransactionTimeoutMs: number;
  /** The largest image upload accepted, in bytes (a larger one is refused with 413 as it arrives). */
  readonly mediaMaxImageBytes: number;
  /** The most pixels (width × height) an image may have; more is refused before it is decoded (pixel bombs). */
  readonly mediaMaxImagePixels: number;
  /** How long an upload's answer waits for its processing before saying "still processing" (202). */
  readonly mediaUploadWaitSeconds: number;
  /**
   * The path of the HEIC→JPEG converter (libheif's heif-convert, MEDIA_HEIF_CONVERT: a name on PATH or a
   * path), found at start-up; undefined when it is `off` or not installed, and HEIC uploads are refused.
   */
  readonly mediaHeifConvert: string | undefined;
  /** The media storage each account may use, in megabytes (0: no quota); an upload past it is refused. */
  readonly mediaQuotaMb: number;
  /** Where media bytes live: `local` (DATA_DIR/media) or `s3` (see `s3`). */
  readonly mediaStorage: (typeof MEDIA_STORAGES)[number];
  /** The S3-compatible store, when `mediaStorage` is `s3`. */
  readonly s3: S3Settings | undefined;
  /**
   * Where browsers fetch stored media, without a trailing slash: MEDIA_PUBLIC_URL (the store itself or a
   * CDN in front of it), or Pipit's own `/media` when it is unset.
   */
  readonly mediaBaseUrl: string;
  /** True when MEDIA_PUBLIC_URL is set: something other than Pipit serves the files. */
  readonly mediaServedElsewhere: boolean;
  /** The largest video or audio upload accepted, in bytes (a larger one is refused with 413 as it arrives). */
  readonly mediaMaxVideoBytes: number;
  /** The longest video or audio accepted, in seconds (read by ffprobe; longer is failed with the reason). */
  readonly mediaMaxVideoSeconds: number;
  /** The most pixels (width × height) a video or animated GIF may have. */
  readonly mediaMaxVideoPixels: number;
  /** The highest frame rate a video may have (frames per second). */
  readonly mediaMaxVideoFrameRate: number;
  /** The most frames an animated GIF may have (a 10,000-frame GIF is refused). */
  readonly mediaMaxGifFrames: number;
  /** How long one ffmpeg run may take before it is killed (the job is then retried, bounded). */
  readonly mediaTranscodeTimeoutSeconds: number;
  /** Threads each ffmpeg run may use (`-threads`). */
  readonly mediaFfmpegThreads: number;
  /** The address space each ffmpeg, ffprobe or heif-convert run may take, in MiB (prlimit --as): a file that makes a decoder allocate without end fails, not the machine. */
  readonly mediaToolMemoryMb: number;
  /** The ffmpeg and ffprobe programs (a name looked up on PATH, or a path); without them video is refused. */
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** On SIGTERM, how long readiness reports "down" while requests are still served, before the listener closes. */
  readonly shutdownDrainSeconds: number;
}

export interface S3Settings {
  readonly bucket: string;
  /** Undefined: AWS itself, found from the region. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (MinIO, most self-hosted stores). */
  readonly forcePathStyle: boolean;
  /** Undefined: the SDK's own lookup (AWS_* variables, an instance role, ~/.aws). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

/** A configuration problem a person must fix; the CLI prints its message alone and exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const KNOWN_KEYS = new Set(Object.keys(schema.shape));
const SECRET_KEYS = new Set(['SECRET_KEY', 'DATABASE_URL', 'SMTP_URL', 'METRICS_TOKEN', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']);

/** Variables from a `.env` file; the real environment wins over the file. */
function readDotenv(path: string): Env {
  return existsSync(path) ? parseDotenv(readFileSync(path)) : {};
}

/** A development key is generated once and kept in DATA_DIR so sessions survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

/** The S3 settings, checked together (each alone is checked by the schema); undefined for local storage. */
function s3Settings(v: z.infer<typeof schema>): S3Settings | undefined {
  if (v.MEDIA_STORAGE !== 's3') return undefined;
  if (!v.S3_BUCKET) throw new ConfigError('S3_BUCKET: required when MEDIA_STORAGE=s3 (the bucket the media files go to; create it first)');
  // Both or neither: one alone is a typo, not a wish to use the SDK's own credential lookup.
  if ((v.S3_ACCESS_KEY_ID === undefined) !== (v.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(`${v.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY'}: required with ${v.S3_ACCESS_KEY_ID === undefined ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'} (set both, or neither to use the AWS SDK's own lookup)`);
  }
  return Object.freeze({
    bucket: v.S3_BUCKET,
    endpoint: v.S3_ENDPOINT?.replace(/\/+$/, ''),
    region: v.S3_REGION,
    forcePathStyle: v.S3_FORCE_PATH_STYLE,
    credentials: v.S3_ACCESS_KEY_ID && v.S3_SECRET_ACCESS_KEY ? Object.freeze({ accessKeyId: v.S3_ACCESS_KEY_ID, secretAccessKey: v.S3_SECRET_ACCESS_KEY }) : undefined,
  });
}

/**
 * Reads, validates and freezes the configuration.
 * @param env the environment (default `process.env`); only Pipit's own keys are considered.
 * @param options.dotenvPath a `.env` file to read first (default `./.env`); `null` to skip it.
 */
export function loadConfig(env: Env = process.env, options: { dotenvPath?: string | null } = {}): Config {
  const dotenvPath = options.dotenvPath === undefined ? resolve('.env') : options.dotenvPath;
  const merged: Env = { ...(dotenvPath ? readDotenv(dotenvPath) : {}), ...env };
  const input: Env = {};
  for (const key of KNOWN_KEYS) {
    // An empty value means "unset", as in most twelve-factor tools.
    if (merged[key] !== undefined && merged[key] !== '') input[key] = merged[key];
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    // Secrets (and URLs that may embed a password) are never echoed back.
    const shown = SECRET_KEYS.has(name) ? '' : ` (got ${JSON.stringify(input[name] ?? null)})`;
    throw new ConfigError(`${name}: ${issue.message}${shown}`);
  }
  const v = parsed.data;
  const dataDir = resolve(v.DATA_DIR);
  if (v.NODE_ENV === 'production') {
    if (!v.SECRET_KEY) throw new ConfigError('SECRET_KEY: required in production (try: openssl rand -hex 32)');
    if (!v.PUBLIC_URL?.startsWith('https://')) {
      throw new ConfigError(`PUBLIC_URL: must be an https:// URL in production (got ${JSON.stringify(v.PUBLIC_URL ?? null)})`);
    }
    // An https page may not show http images (mixed content).
    if (v.MEDIA_PUBLIC_URL && !v.MEDIA_PUBLIC_URL.startsWith('https://')) {
      throw new ConfigError(`MEDIA_PUBLIC_URL: must be an https:// URL in production (got ${JSON.stringify(v.MEDIA_PUBLIC_URL)})`);
    }
  }
  const publicUrl = (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, '');
  const s3 = s3Settings(v);
  return Object.freeze({
    nodeEnv: v.NODE_ENV,
    port: v.PORT,
    host: v.HOST,
    publicUrl,
    databaseUrl: v.DATABASE_URL,
    dataDir,
    // Tests get a fixed throwaway key rather than writing files into the data directory.
    secretKey: v.SECRET_KEY ?? (v.NODE_ENV === 'test' ? 'test-secret-key-not-for-production-use' : developmentSecret(dataDir)),
    logLevel: v.LOG_LEVEL ?? (v.NODE_ENV === 'test' ? 'silent' : 'info'),
    maxPostLength: v.MAX_POST_LENGTH,
    apiRateLimit: v.API_RATE_LIMIT,
    trustProxy: v.TRUST_PROXY,
    secureCookies: publicUrl.startsWith('https://'),
    smtpUrl: v.SMTP_URL,
    smtpTimeoutSeconds: v.SMTP_TIMEOUT_SECONDS,
    mailFrom: v.MAIL_FROM ?? `Pipit <notifications@${new URL(publicUrl).hostname}>`,
    statsCron: v.STATS_CRON,
    workerQueues: Object.freeze([...v.WORKER_QUEUES]),
    metricsToken: v.METRICS_TOKEN,
    metricsOpen: v.METRICS_OPEN,
    metricsPort: v.METRICS_PORT,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    databaseStatementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
    databaseIdleInTransactionTimeoutMs: v.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    shutdownDrainSeconds: v.SHUTDOWN_DRAIN_SECONDS,
    mediaMaxImageBytes: v.MEDIA_MAX_IMAGE_BYTES,
    mediaMaxImagePixels: v.MEDIA_MAX_IMAGE_PIXELS,
    mediaUploadWaitSeconds: v.MEDIA_UPLOAD_WAIT_SECONDS,
    mediaQuotaMb: v.MEDIA_QUOTA_MB,
    // Without PATH (a bare environment), where execvp looks too.
    mediaHeifConvert: v.MEDIA_HEIF_CONVERT === 'off' ? undefined : findExecutable(v.MEDIA_HEIF_CONVERT, merged.PATH ?? '/usr/local/bin:/usr/bin:/bin'),
    mediaStorage: v.MEDIA_STORAGE,
    s3,
    mediaBaseUrl: (v.MEDIA_PUBLIC_URL ?? `${publicUrl}/media`).replace(/\/+$/, ''),
    mediaServedElsewhere: v.MEDIA_PUBLIC_URL !== undefined,
    mediaMaxVideoBytes: v.MEDIA_MAX_VIDEO_BYTES,
    mediaMaxVideoSeconds: v.MEDIA_MAX_VIDEO_SECONDS,
    mediaMaxVideoPixels: v.MEDIA_MAX_VIDEO_PIXELS,
    mediaMaxVideoFrameRate: v.MEDIA_MAX_VIDEO_FRAME_RATE,
    mediaMaxGifFrames: v.MEDIA_MAX_GIF_FRAMES,
    mediaTranscodeTimeoutSeconds: v.MEDIA_TRANSCODE_TIMEOUT_SECONDS,
    mediaFfmpegThreads: v.MEDIA_FFMPEG_THREADS,
    mediaToolMemoryMb: v.MEDIA_TOOL_MEMORY_MB,
    ffmpegPath: v.FFMPEG_PATH,
    ffprobePath: v.FFPROBE_PATH,
  });
}
