import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from '../src/core/db/scratch-database.ts';
import { redactUrl } from './databases.ts';
import { killAll, measureProcess, median, type Footprint, type MeasureOptions } from './footprint-process.ts';
import { intFromEnv } from './env.ts';

// `npm run bench:footprint`: how long `pipit start` takes to serve and how much memory it holds while
// idle — on a fresh DATA_DIR, restarted on the same one, and on PostgreSQL — next to a baseline that
// opens the same database the same way and serves /readyz from a bare Fastify app. See bench/README.md.

const settings = {
  runs: intFromEnv('BENCH_RUNS', 3, 1, 50),
  databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  measure: {
    minSettleSeconds: intFromEnv('BENCH_SETTLE_SECONDS', 5, 0, 600),
    maxSettleSeconds: intFromEnv('BENCH_MAX_SETTLE_SECONDS', 60, 1, 3_600),
    samples: intFromEnv('BENCH_RSS_SAMPLES', 5, 1, 100),
    readyTimeoutSeconds: intFromEnv('BENCH_READY_TIMEOUT_SECONDS', 300, 1, 3_600),
  } satisfies MeasureOptions,
};

/** The targets (seconds, MiB); `undefined` where none was set. */
const TARGETS: Record<CaseName, { startSeconds?: number; idleRssMiB: number }> = {
  'embedded, fresh DATA_DIR': { startSeconds: 3, idleRssMiB: 250 },
  'embedded, restart': { startSeconds: 1.5, idleRssMiB: 250 },
  postgres: { idleRssMiB: 120 },
};
type CaseName = 'embedded, fresh DATA_DIR' | 'embedded, restart' | 'postgres';

const ROOT = join(import.meta.dirname, '..');
// The real command, as `npm start` runs it (bin/pipit picks Node and its flags).
const PIPIT = { command: join(ROOT, 'bin/pipit'), args: ['start'] };
// With bin/pipit's Node flag, so the engine runs as it does in Pipit.
const BASELINE = { command: process.execPath, args: ['--liftoff-only', join(import.meta.dirname, 'footprint-baseline.ts')] };
// Production, as a real site runs: JSON logs (discarded), no generated development secret.
const PIPIT_ENV = {
  NODE_ENV: 'production',
  SECRET_KEY: randomBytes(32).toString('hex'),
  PUBLIC_URL: 'https://pipit.invalid',
  LOG_LEVEL: 'info',
  METRICS_PORT: '0',
};

const cleanups: (() => Promise<void> | void)[] = [];
async function cleanUp(): Promise<void> {
  killAll();
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => {});
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping and removing benchmark data…`);
    setTimeout(() => process.exit(130), 20_000).unref();
    void cleanUp().finally(() => process.exit(130));
  });
}

function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipit-footprint-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Side = 'pipit' | 'baseline';
const results = new Map<CaseName, Record<Side, Footprint[]>>();

async function record(name: CaseName, side: Side, program: { command: string; args: string[] }, env: Record<string, string>): Promise<void> {
  const footprint = await measureProcess(program.command, program.args, env, settings.measure);
  if (!results.has(name)) results.set(name, { pipit: [], baseline: [] });
  results.get(name)![side].push(footprint);
  const f = footprint;
  console.error(
    `  ${name.padEnd(24)} ${side.padEnd(8)} ready ${f.startSeconds.toFixed(2)} s (CPU ${f.startCpuSeconds.toFixed(2)} s), ` +
      `idle ${f.idleRssMiB.toFixed(0)} MiB, peak ${f.peakRssMiB.toFixed(0)} MiB, settled in ${f.settleSeconds.toFixed(0)} s`,
  );
}

/** One run of the embedded cases: fresh, then restarted on the same directory, for both sides. */
async function embeddedRun(): Promise<void> {
  const pipitDir = temporaryDirectory();
  const baselineDir = temporaryDirectory();
  const pipitEnv = { ...PIPIT_ENV, DATA_DIR: pipitDir };
  const baselineEnv = { BENCH_BASELINE_PGLITE_DIR: join(baselineDir, 'db') };
  await record('embedded, fresh DATA_DIR', 'pipit', PIPIT, pipitEnv);
  await record('embedded, fresh DATA_DIR', 'baseline', BASELINE, baselineEnv);
  await record('embedded, restart', 'baseline', BASELINE, baselineEnv);
  await record('embedded, restart', 'pipit', PIPIT, pipitEnv);
}

async function postgresRun(): Promise<string | undefined> {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  try {
    scratch = await createScratchDatabase(settings.databaseUrl, 'pipit_footprint');
  } catch (error) {
    return `postgres skipped: cannot create a database on ${redactUrl(settings.databaseUrl)} (${(error as Error).message})`;
  }
  cleanups.push(() => scratch.drop());
  // The first start applies the migrations; the one measured is a start on a current schema, as
  // every start after an upgrade is.
  await measureProcess(PIPIT.command, PIPIT.args, { ...PIPIT_ENV, DATABASE_URL: scratch.url, DATA_DIR: temporaryDirectory() }, { ...settings.measure, minSettleSeconds: 0, samples: 1 });
  await record('postgres', 'pipit', PIPIT, { ...PIPIT_ENV, DATABASE_URL: scratch.url, DATA_DIR: temporaryDirectory() });
  await record('postgres', 'baseline', BASELINE, { BENCH_BASELINE_DATABASE_URL: scratch.url });
  return undefined;
}

const f2 = (n: number) => n.toFixed(2);
const mib = (n: number) => n.toFixed(0);
const ratio = (a: number, b: number) => (a / b).toFixed(2);

function toMarkdown(info: Record<string, string>, skipped: string[]): string {
  const lines = [
    `# Pipit footprint — ${info.date}`,
    '',
    `${info.cpus}, Node ${info.node}; p50 of ${settings.runs} run(s); load average ${info.loadBefore} before, ${info.loadAfter} after.`,
    '',
    '| case | ready s: Pipit | baseline | ratio | CPU s to ready: Pipit | baseline | idle RSS MiB: Pipit | baseline | ratio | peak RSS MiB: Pipit | baseline | target (ready s, idle MiB) | met |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const [name, sides] of results) {
    const p = (side: Side, key: keyof Footprint) => median(sides[side].map((f) => f[key]));
    const target = TARGETS[name];
    const met = (target.startSeconds === undefined || p('pipit', 'startSeconds') <= target.startSeconds) && p('pipit', 'idleRssMiB') <= target.idleRssMiB;
    lines.push(
      `| ${name} | ${f2(p('pipit', 'startSeconds'))} | ${f2(p('baseline', 'startSeconds'))} | ${ratio(p('pipit', 'startSeconds'), p('baseline', 'startSeconds'))} ` +
        `| ${f2(p('pipit', 'startCpuSeconds'))} | ${f2(p('baseline', 'startCpuSeconds'))} ` +
        `| ${mib(p('pipit', 'idleRssMiB'))} | ${mib(p('baseline', 'idleRssMiB'))} | ${ratio(p('pipit', 'idleRssMiB'), p('baseline', 'idleRssMiB'))} ` +
        `| ${mib(p('pipit', 'peakRssMiB'))} | ${mib(p('baseline', 'peakRssMiB'))} ` +
        `| ≤ ${target.startSeconds ?? '–'} s, ≤ ${target.idleRssMiB} MiB | ${met ? 'yes' : '**no**'} |`,
    );
  }
  for (const line of skipped) lines.push('', `⚠ ${line}`);
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const info: Record<string, string> = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.versions.node,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    loadBefore: loadavg()[0]!.toFixed(2),
  };
  const skipped: string[] = [];
  for (let run = 1; run <= settings.runs; run++) {
    console.error(`run ${run}/${settings.runs}`);
    await embeddedRun();
    const skip = await postgresRun();
    if (skip && !skipped.includes(skip)) {
      skipped.push(skip);
      console.error(`  ${skip}`);
    }
    await cleanUp();
  }
  info.loadAfter = loadavg()[0]!.toFixed(2);
  const markdown = toMarkdown(info, skipped);
  console.log(markdown);
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'footprint.md'), markdown);
  writeFileSync(join(dir, 'footprint.json'), JSON.stringify({ info, settings, targets: TARGETS, results: Object.fromEntries(results) }, null, 2) + '\n');
  console.error(`written: bench/results/footprint.md, bench/results/footprint.json`);
}

try {
  await main();
} finally {
  await cleanUp();
}
