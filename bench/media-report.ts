import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The table of `npm run bench:media` (markdown, printed and saved as media-latest.md) and its raw
// figures (media-latest.json).

/** Issue 9's targets: image p50 at most 1 s and 1.5 × sharp alone; video 1.2 × ffmpeg alone. */
export const MEDIA_TARGET = { imageMaxP50Ms: 1000, imageMaxRatio: 1.5, videoMaxRatio: 1.2 } as const;

export interface Summary {
  count: number;
  clients: number;
  p50Ms: number;
  p99Ms: number;
  /** Items finished per second of the whole batch (first start to last finish). */
  perSecond: number;
  /** CPU seconds per item: Pipit's processes (web, worker and the ffmpeg runs they waited for), or the baseline's. */
  cpuSecondsPerItem: number;
}

export interface MediaRow {
  mode: 'embedded' | 'postgres';
  work: 'images' | 'video';
  pipit: Summary;
  baseline: Summary;
  /** Each queue's jobs in Pipit's part and the median time its handler took (from the worker's log). */
  steps: Record<string, { count: number; p50Ms: number }>;
}

export interface MediaModeInfo {
  mode: 'embedded' | 'postgres';
  engine: string;
  /** The processes Pipit ran in, and the most each held resident (VmHWM, MiB) by the end of the mode. */
  processes: { role: string; peakRssMiB: number }[];
  /** The baseline's image process's VmHWM (sharp alone, 8 at a time), MiB. */
  baselineImagePeakRssMiB: number;
}

export interface MediaRunInfo {
  date: string;
  node: string;
  cpus: string;
  photo: string;
  clip: string | undefined;
  pollMs: number;
  videoPollMs: number;
  loadAverage: { before: number; after: number };
  modes: MediaModeInfo[];
  skipped: string[];
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarize(durations: number[], wallSeconds: number, cpuSeconds: number, clients: number): Summary {
  return {
    count: durations.length,
    clients,
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
    perSecond: durations.length / wallSeconds,
    cpuSecondsPerItem: cpuSeconds / durations.length,
  };
}

export const ratioOf = (row: MediaRow) => row.pipit.p50Ms / row.baseline.p50Ms;

function verdict(row: MediaRow): string {
  const missed: string[] = [];
  const ratio = ratioOf(row);
  if (row.work === 'images') {
    if (!(row.pipit.p50Ms <= MEDIA_TARGET.imageMaxP50Ms)) missed.push(`p50 > ${MEDIA_TARGET.imageMaxP50Ms / 1000} s`);
    if (!(ratio <= MEDIA_TARGET.imageMaxRatio)) missed.push(`ratio > ${MEDIA_TARGET.imageMaxRatio}`);
  } else if (!(ratio <= MEDIA_TARGET.videoMaxRatio)) {
    missed.push(`ratio > ${MEDIA_TARGET.videoMaxRatio}`);
  }
  return missed.length ? `no (${missed.join(', ')})` : 'yes';
}

const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–');
// Rounded up, so a ratio just over the target never prints as meeting it.
const ratioText = (n: number) => (Math.ceil(n * 100) / 100).toFixed(2);
const perSecond = (n: number) => (n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function mediaMarkdown(rows: MediaRow[], info: MediaRunInfo): string {
  const lines = [
    `# Pipit media benchmark — ${info.date}`,
    '',
    `Node ${info.node}; ${info.cpus}; load average ${info.loadAverage.before.toFixed(2)} before, ${info.loadAverage.after.toFixed(2)} after. ` +
      `Photo: ${info.photo}. Clip: ${info.clip ?? 'none (video skipped)'}. Clients poll GET /api/v1/media/:id every ${info.pollMs} ms (a video every ${info.videoPollMs} ms).`,
    ...info.modes.map(
      (m) =>
        `- ${m.mode} (${m.engine}): peak RSS ${m.processes.map((p) => `${p.role} ${p.peakRssMiB.toFixed(0)} MiB`).join(', ')}; ` +
        `the baseline's image process ${m.baselineImagePeakRssMiB.toFixed(0)} MiB (ffmpeg's own memory is in neither)`,
    ),
    ...info.skipped.map((why) => `- skipped: ${why}`),
    '',
    'Pipit: upload-to-ready over the API (POST /api/v2/media, then polling until 200), one worker. Baseline: the same ' +
      'work with sharp or ffmpeg called directly on the same file, no server (bench/media-direct.ts), as many at a time. ' +
      `ratio = Pipit p50 ÷ baseline p50. Targets (issue 9): images p50 ≤ ${MEDIA_TARGET.imageMaxP50Ms / 1000} s and ratio ≤ ${MEDIA_TARGET.imageMaxRatio}; ` +
      `video ratio ≤ ${MEDIA_TARGET.videoMaxRatio}. CPU s/item counts every Pipit process (web, worker) and the ffmpeg runs they waited for.`,
    '',
    '| mode | work | n × clients | p50 s | p99 s | per s | baseline p50 s | baseline p99 s | baseline per s | ratio (p50) | target met | CPU s/item (Pipit / baseline) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.mode} | ${row.work} | ${row.pipit.count} × ${row.pipit.clients} | ${s(row.pipit.p50Ms)} | ${s(row.pipit.p99Ms)} | ${perSecond(row.pipit.perSecond)} | ` +
        `${s(row.baseline.p50Ms)} | ${s(row.baseline.p99Ms)} | ${perSecond(row.baseline.perSecond)} | ${ratioText(ratioOf(row))} | ${verdict(row)} | ` +
        `${row.pipit.cpuSecondsPerItem.toFixed(2)} / ${row.baseline.cpuSecondsPerItem.toFixed(2)} |`,
    );
  }
  lines.push('', 'Where Pipit\'s time went — the median time of each step\'s handler in the worker (the rest of upload-to-ready is the upload, the queue and the polling):', '');
  for (const row of rows) {
    const steps = Object.entries(row.steps).map(([queue, st]) => `${queue} ${s(st.p50Ms)} s (${st.count} jobs)`);
    lines.push(`- ${row.mode} ${row.work}: ${steps.join(', ') || 'no job logged'}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes media-latest.md and media-latest.json into `dir`; returns their paths. */
export function saveMediaResults(dir: string, rows: MediaRow[], info: MediaRunInfo): string[] {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'media-latest.md');
  const json = join(dir, 'media-latest.json');
  writeFileSync(md, mediaMarkdown(rows, info));
  writeFileSync(json, JSON.stringify({ info, target: MEDIA_TARGET, rows: rows.map((r) => ({ ...r, ratio: ratioOf(r) })) }, null, 2) + '\n');
  return [md, json];
}
