import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { cleanUpDatabases } from './databases.ts';
import { intFromEnv } from './env.ts';
import type { DirectJob, DirectResult } from './media-direct.ts';
import { benchClip, benchPhoto, ffmpegMissing, megabytes } from './media-files.ts';
import { accountsFor, peakRssMiB, startPipit, uploadMany, uploadUntilReady, type Check, type JobDone, type PipitSite } from './media-pipit.ts';
import { mediaMarkdown, percentile, saveMediaResults, summarize, type MediaModeInfo, type MediaRow, type MediaRunInfo } from './media-report.ts';

// `npm run bench:media`: for each mode, Pipit as a site runs it (one worker) takes BENCH_MEDIA_IMAGES
// uploads of a 12-megapixel JPEG from BENCH_MEDIA_CLIENTS clients and BENCH_MEDIA_VIDEOS uploads of a
// 1080p clip over the API, each timed from upload to ready; beside it, in the same run, the same work
// with sharp and ffmpeg called directly (bench/media-direct.ts). See bench/README.md.

const settings = {
  images: intFromEnv('BENCH_MEDIA_IMAGES', 100, 1, 10_000),
  clients: intFromEnv('BENCH_MEDIA_CLIENTS', 8, 1, 256),
  videos: intFromEnv('BENCH_MEDIA_VIDEOS', 10, 0, 1_000),
  videoClients: intFromEnv('BENCH_MEDIA_VIDEO_CLIENTS', 1, 1, 64),
  videoSeconds: intFromEnv('BENCH_MEDIA_VIDEO_SECONDS', 10, 1, 300),
  pollMs: intFromEnv('BENCH_MEDIA_POLL_MS', 50, 10, 5_000),
  // A video takes tens of seconds: polling it as often as an image would only load the web process.
  videoPollMs: intFromEnv('BENCH_MEDIA_VIDEO_POLL_MS', 250, 10, 5_000),
  timeoutSeconds: intFromEnv('BENCH_MEDIA_TIMEOUT_SECONDS', 1_800, 10, 86_400),
  databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  modes: (process.env.BENCH_MODES || 'embedded').split(',').map((m) => m.trim()),
  ffmpeg: process.env.FFMPEG_PATH || 'ffmpeg',
  ffprobe: process.env.FFPROBE_PATH || 'ffprobe',
};
for (const mode of settings.modes) {
  if (mode !== 'embedded' && mode !== 'postgres') {
    console.error(`BENCH_MODES: unknown mode ${JSON.stringify(mode)} (use embedded, postgres or both)`);
    process.exit(2);
  }
}

const DIRECT = join(import.meta.dirname, 'media-direct.ts');
const directChildren = new Set<ReturnType<typeof spawn>>();
process.on('exit', () => {
  for (const child of directChildren) child.kill('SIGKILL');
});

let site: PipitSite | undefined;
async function cleanUp(): Promise<void> {
  await site?.stop();
  site = undefined;
  await cleanUpDatabases();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping Pipit and removing benchmark data…`);
    setTimeout(() => process.exit(130), 30_000).unref();
    void cleanUp().finally(() => process.exit(130));
  });
}

/** The baseline in a process of its own, so its memory is measured alone and sharp's threads are its own. */
function runDirect(job: DirectJob): Promise<DirectResult> {
  const child = spawn(process.execPath, ['--liftoff-only', DIRECT, '--child'], {
    env: { ...process.env, BENCH_DIRECT_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  directChildren.add(child);
  return new Promise((resolve, reject) => {
    child.once('message', (message: { result?: DirectResult; error?: string }) => {
      if (message.result) resolve(message.result);
      else reject(new Error(`the baseline failed: ${message.error}`));
    });
    child.once('exit', (code) => {
      directChildren.delete(child);
      reject(new Error(`the baseline exited (${code}) without a result`));
    });
  });
}

const photoCheck: Check = (m) =>
  // Orientation 6: the 4000 × 3000 file is shown 3000 × 4000.
  m.type === 'image' && m.meta?.original?.width === 3000 && m.meta.original.height === 4000 ? undefined : 'not the 3000 × 4000 image the pipeline must make';
const clipCheck: Check = (m) =>
  m.type === 'video' && Math.abs((m.meta?.original?.duration ?? 0) - settings.videoSeconds) < 0.5 && m.meta?.original?.width === 1920
    ? undefined
    : `not the ${settings.videoSeconds}-second 1920 × 1080 video the pipeline must make`;

/** The median time each queue's handler took (the worker's log), to see where an upload's time goes. */
function stepsOf(jobs: JobDone[]): Record<string, { count: number; p50Ms: number }> {
  const byQueue = Map.groupBy(jobs, (job) => job.queue);
  return Object.fromEntries([...byQueue].map(([queue, done]) => [queue, { count: done.length, p50Ms: percentile(done.map((j) => j.durationMs), 50) }]));
}

const ms = (n: number) => `${(n / 1000).toFixed(2)} s`;

async function measureMode(mode: 'embedded' | 'postgres', photo: string, clip: string | undefined, info: MediaRunInfo): Promise<MediaRow[]> {
  const uploads = settings.images + 1 + (clip ? settings.videos : 0);
  console.error(`${mode}: starting Pipit (${mode === 'embedded' ? 'pipit start: web and worker in one process' : 'pipit web + one pipit worker'})…`);
  const started = await startPipit(mode, { accounts: accountsFor(uploads, Math.max(settings.clients, settings.videoClients)), databaseUrl: settings.databaseUrl });
  if ('skipped' in started) {
    console.error(`${mode}: skipped — ${started.skipped}`);
    info.skipped.push(`${mode}: ${started.skipped}`);
    return [];
  }
  site = started;
  const rows: MediaRow[] = [];
  const timeoutMs = settings.timeoutSeconds * 1000;
  const photoUpload = { file: new Blob([readFileSync(photo)], { type: 'image/jpeg' }), name: 'photo.jpg' };

  // The order (baseline, Pipit, Pipit, baseline) puts each side's two parts at both ends of the run,
  // so a change in the machine's background load weighs on both.
  console.error(`${mode}: baseline images — sharp directly, ${settings.images} × ${settings.clients} at a time…`);
  const directImages = await runDirect({ kind: 'images', file: photo, count: settings.images, concurrency: settings.clients });
  const baselineImages = summarize(directImages.durations, directImages.wallSeconds, directImages.cpuSeconds, settings.clients);
  console.error(`  p50 ${ms(baselineImages.p50Ms)}, p99 ${ms(baselineImages.p99Ms)}, ${baselineImages.perSecond.toFixed(2)}/s`);

  console.error(`${mode}: Pipit images — ${settings.images} uploads by ${settings.clients} clients (after one unmeasured)…`);
  await uploadUntilReady(site, site.tokens[0]!, photoUpload, photoCheck, settings.pollMs, timeoutMs);
  let cpuBefore = site.cpuSeconds();
  let jobsBefore = site.jobs().length;
  const images = await uploadMany(site, photoUpload, photoCheck, { count: settings.images, clients: settings.clients, firstToken: 1, pollMs: settings.pollMs, timeoutMs });
  const pipitImages = summarize(images.durations, images.wallSeconds, site.cpuSeconds() - cpuBefore, settings.clients);
  console.error(`  p50 ${ms(pipitImages.p50Ms)}, p99 ${ms(pipitImages.p99Ms)}, ${pipitImages.perSecond.toFixed(2)}/s`);
  rows.push({ mode, work: 'images', pipit: pipitImages, baseline: baselineImages, steps: stepsOf(site.jobs().slice(jobsBefore)) });

  if (clip && settings.videos > 0) {
    const clipUpload = { file: new Blob([readFileSync(clip)], { type: 'video/mp4' }), name: 'clip.mp4' };
    console.error(`${mode}: Pipit video — ${settings.videos} uploads by ${settings.videoClients} client(s)…`);
    cpuBefore = site.cpuSeconds();
    jobsBefore = site.jobs().length;
    const videos = await uploadMany(site, clipUpload, clipCheck, { count: settings.videos, clients: settings.videoClients, firstToken: settings.images + 1, pollMs: settings.videoPollMs, timeoutMs });
    const videoSteps = stepsOf(site.jobs().slice(jobsBefore));
    const pipitVideo = summarize(videos.durations, videos.wallSeconds, site.cpuSeconds() - cpuBefore, settings.videoClients);
    console.error(`  p50 ${ms(pipitVideo.p50Ms)}, p99 ${ms(pipitVideo.p99Ms)}`);

    console.error(`${mode}: baseline video — ffmpeg directly, ${settings.videos} × ${settings.videoClients} at a time…`);
    const directVideo = await runDirect({ kind: 'video', file: clip, count: settings.videos, concurrency: settings.videoClients, ffmpeg: settings.ffmpeg, hasAudio: true, duration: settings.videoSeconds });
    const baselineVideo = summarize(directVideo.durations, directVideo.wallSeconds, directVideo.cpuSeconds, settings.videoClients);
    console.error(`  p50 ${ms(baselineVideo.p50Ms)}, p99 ${ms(baselineVideo.p99Ms)}`);
    rows.push({ mode, work: 'video', pipit: pipitVideo, baseline: baselineVideo, steps: videoSteps });
  }

  const modeInfo: MediaModeInfo = {
    mode,
    engine: mode === 'embedded' ? 'PGlite' : 'PostgreSQL',
    processes: site.processes.map((p) => ({ role: p.role, peakRssMiB: peakRssMiB(p.pid) })),
    baselineImagePeakRssMiB: directImages.peakRssMiB,
  };
  info.modes.push(modeInfo);
  console.error(`  peak RSS: ${modeInfo.processes.map((p) => `${p.role} ${p.peakRssMiB.toFixed(0)} MiB`).join(', ')}; baseline images ${directImages.peakRssMiB.toFixed(0)} MiB`);
  await cleanUp();
  return rows;
}

async function main(): Promise<void> {
  const info: MediaRunInfo = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.versions.node,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    photo: '',
    clip: undefined,
    pollMs: settings.pollMs,
    videoPollMs: settings.videoPollMs,
    loadAverage: { before: loadavg()[0]!, after: NaN },
    modes: [],
    skipped: [],
  };
  const photo = await benchPhoto();
  info.photo = `4000 × 3000 JPEG, ${megabytes(photo).toFixed(1)} MB`;
  let clip: string | undefined;
  const missing = settings.videos > 0 ? await ffmpegMissing(settings.ffmpeg, settings.ffprobe) : 'BENCH_MEDIA_VIDEOS=0';
  if (missing) {
    console.error(`video: skipped — ${missing}`);
    info.skipped.push(`video: ${missing}`);
  } else {
    clip = await benchClip(settings.ffmpeg, settings.videoSeconds);
    info.clip = `${settings.videoSeconds} s of 1920 × 1080 at 30 fps, H.264 + AAC in MP4, ${megabytes(clip).toFixed(1)} MB`;
  }
  const rows: MediaRow[] = [];
  try {
    for (const mode of settings.modes as ('embedded' | 'postgres')[]) rows.push(...(await measureMode(mode, photo, clip, info)));
  } finally {
    await cleanUp();
  }
  if (rows.length === 0) throw new Error('nothing was measured');
  info.loadAverage.after = loadavg()[0]!;
  console.log('\n' + mediaMarkdown(rows, info));
  const files = saveMediaResults(join(import.meta.dirname, 'results'), rows, info);
  console.error(`Saved ${files.join(' and ')}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
