import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';

// The results table (markdown, printed and saved) and the raw numbers (JSON).

/**
 * The issues' targets, on PostgreSQL: p99 at most 50 ms, and at least half the baseline's throughput
 * for the website's pages (issue 1), 70 % for the API's timelines (issue 8).
 */
export const TARGET = { pageMinRatio: 0.5, apiMinRatio: 0.7, maxP99Ms: 50 } as const;

export interface Row {
  mode: 'embedded' | 'postgres';
  target: string;
  path: string;
  /** The least ratio that meets the target. */
  minRatio: number;
  pipit: LoadResult;
  baseline: LoadResult;
}

export interface RunInfo {
  date: string;
  node: string;
  cpus: string;
  accounts: number;
  posts: number;
  follows: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  logLevel: string;
  /** 1-minute load average before and after: other work on the machine skews every figure. */
  loadAverage: { before: number; after: number };
  engines: Record<string, string>;
  seedSeconds: Record<string, number>;
  skipped: string[];
}

export function ratio(row: Row): number {
  return row.pipit.rps / row.baseline.rps;
}

/** `yes`, or what was missed; the target is defined for PostgreSQL, so embedded rows are informative. */
function verdict(row: Row): string {
  const missed: string[] = [];
  if (ratio(row) < row.minRatio) missed.push(`ratio < ${row.minRatio}`);
  if (!(row.pipit.p99 <= TARGET.maxP99Ms)) missed.push(`p99 > ${TARGET.maxP99Ms} ms`);
  if (row.pipit.failures > 0) missed.push(`${row.pipit.failures} failed requests`);
  const text = missed.length ? `no (${missed.join(', ')})` : 'yes';
  return row.mode === 'postgres' ? `**${text}**` : `(${text})`;
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const cpu = (r: LoadResult) => (r.cpuMsPerRequest === undefined ? '–' : (r.cpuMsPerRequest * 1000).toFixed(0));
// Rounded down, so a ratio just under the target never prints as meeting it.
const ratioText = (n: number) => (Math.floor(n * 100) / 100).toFixed(2);
const rps = (n: number) => Math.round(n).toLocaleString('en-US');

export function toMarkdown(rows: Row[], info: RunInfo): string {
  const lines = [
    `# Pipit benchmark — ${info.date}`,
    '',
    `${info.accounts.toLocaleString('en-US')} accounts, ${info.posts.toLocaleString('en-US')} posts, the API viewer following ` +
      `${info.follows.toLocaleString('en-US')}; autocannon, ` +
      `${info.connections} connections; ${info.seconds} s per target and server, in ${info.rounds} alternating rounds, ` +
      `each after a ${info.warmupSeconds} s warm-up; ` +
      `Node ${info.node}; ${info.cpus}; Pipit LOG_LEVEL=${info.logLevel}; ` +
      `load average ${info.loadAverage.before.toFixed(2)} before, ${info.loadAverage.after.toFixed(2)} after.`,
    ...Object.entries(info.engines).map(([mode, engine]) => `- ${mode}: ${engine}, seeded in ${info.seedSeconds[mode]!.toFixed(0)} s`),
    ...info.skipped.map((why) => `- skipped: ${why}`),
    '',
    'ratio = Pipit req/s ÷ baseline req/s. Server CPU is the server process alone (not PostgreSQL, not the load ' +
      'generator) per successful request: it depends far less than req/s on what else the machine is doing.',
    '',
    `Target (PostgreSQL): Pipit ≥ ${TARGET.pageMinRatio * 100}% of the baseline's req/s for the pages, ` +
      `≥ ${TARGET.apiMinRatio * 100}% for the API, and p99 ≤ ${TARGET.maxP99Ms} ms. The API targets send a user's bearer token.`,
    '',
    '| mode | target | req/s | p50 ms | p99 ms | baseline req/s | baseline p50 ms | baseline p99 ms | ratio | target met | server CPU µs/req (Pipit / baseline) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.mode} | \`${row.target}\` | ${rps(row.pipit.rps)} | ${ms(row.pipit.p50)} | ${ms(row.pipit.p99)} | ` +
        `${rps(row.baseline.rps)} | ${ms(row.baseline.p50)} | ${ms(row.baseline.p99)} | ${ratioText(ratio(row))} | ${verdict(row)} | ${cpu(row.pipit)} / ${cpu(row.baseline)} |`,
    );
  }
  const failures = rows.filter((r) => r.pipit.failures || r.baseline.failures);
  for (const r of failures) {
    lines.push('', `⚠ ${r.mode} ${r.target}: ${r.pipit.failures} failed Pipit requests, ${r.baseline.failures} failed baseline requests.`);
  }
  return lines.join('\n') + '\n';
}

/** Writes `latest.md` and `latest.json` into `dir`; returns their paths. */
export function saveResults(dir: string, rows: Row[], info: RunInfo): string[] {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'latest.md');
  const json = join(dir, 'latest.json');
  writeFileSync(md, toMarkdown(rows, info));
  writeFileSync(json, JSON.stringify({ info, target: TARGET, rows: rows.map((r) => ({ ...r, ratio: ratio(r) })) }, null, 2) + '\n');
  return [md, json];
}
