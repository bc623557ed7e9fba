import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { killAllChildren, startServer } from './children.ts';
import { cleanUpDatabases, prepareEmbedded, preparePostgres, type PreparedDatabase } from './databases.ts';
import { measure, summarize, type Sample } from './load.ts';
import { saveResults, TARGET, toMarkdown, type Row, type RunInfo } from './report.ts';
import { intFromEnv } from './env.ts';

// `npm run bench`: for each mode, seed a database, then load Pipit's pages and the baseline's
// equivalent JSON routes one server at a time, each server in its own process, autocannon here.
// See bench/README.md.

const settings = {
  accounts: intFromEnv('BENCH_ACCOUNTS', 10_000, 2, 1_000_000),
  posts: intFromEnv('BENCH_POSTS', 200_000, 1, 10_000_000),
  follows: intFromEnv('BENCH_FOLLOWS', 1_000, 1, 1_000_000),
  seconds: intFromEnv('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intFromEnv('BENCH_WARMUP_SECONDS', 3, 0, 600),
  rounds: intFromEnv('BENCH_ROUNDS', 2, 1, 20),
  connections: intFromEnv('BENCH_CONNECTIONS', 16, 1, 1_000),
  databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  modes: (process.env.BENCH_MODES || 'embedded,postgres').split(',').map((m) => m.trim()),
};
for (const mode of settings.modes) {
  if (mode !== 'embedded' && mode !== 'postgres') {
    console.error(`BENCH_MODES: unknown mode ${JSON.stringify(mode)} (use embedded, postgres or both)`);
    process.exit(2);
  }
}

const SERVER_PIPIT = join(import.meta.dirname, 'server-pipit.ts');
const SERVER_BASELINE = join(import.meta.dirname, 'server-baseline.ts');
async function cleanUp(): Promise<void> {
  await killAllChildren();
  await cleanUpDatabases();
}

// Ctrl-C or a kill: stop the servers and drop the data, but never wait more than 20 s for it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers and removing benchmark data…`);
    // Dropping the scratch database cuts the connections of a seed still in progress; their errors
    // are expected now and must not end the process before the cleanup does.
    process.on('uncaughtException', () => {});
    setTimeout(() => process.exit(130), 20_000).unref();
    void cleanUp().finally(() => process.exit(130));
  });
}

interface Target {
  name: string;
  /** Pipit's path. */
  path: string;
  /** The baseline's path (its routes are named after Pipit's). */
  baselinePath: string;
  headers?: Record<string, string>;
  /** The least Pipit ÷ baseline ratio that meets the target (report.ts TARGET). */
  minRatio: number;
  /** Why the answer is not the page to measure, or undefined when it is. */
  wrong(body: string): string | undefined;
}

const mentioning = (text: string) => (body: string) => (body.includes(text) ? undefined : `it does not mention ${text}`);

/** A JSON array of exactly `count` items (a full page: fewer would measure less work). */
const fullPage = (count: number) => (body: string) => {
  const items: unknown = JSON.parse(body);
  return Array.isArray(items) && items.length === count ? undefined : `it is not a list of ${count} items`;
};

/** One request first: a server that errors or serves the wrong page must not be benchmarked. */
async function check(url: string, target: Target): Promise<void> {
  const response = await fetch(url, { headers: target.headers ?? {}, signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  const wrong = target.wrong(body);
  if (wrong) throw new Error(`GET ${url}: ${wrong}: ${body.slice(0, 300)}`);
}

/** The pages measured: the website's two busiest, then the API's timelines read with a user token. */
function targetsOf(db: PreparedDatabase): Target[] {
  const page = { minRatio: TARGET.pageMinRatio, wrong: mentioning(db.username) };
  const api = { minRatio: TARGET.apiMinRatio, headers: { authorization: `Bearer ${db.api.token}` }, wrong: fullPage(20) };
  const statuses = `/api/v1/accounts/${db.api.statusesAccountId}/statuses`;
  return [
    { name: '/@user', path: `/@${db.username}`, baselinePath: `/@${db.username}`, ...page },
    { name: '/', path: '/', baselinePath: '/', ...page },
    { name: 'GET /api/v1/timelines/public', path: '/api/v1/timelines/public', baselinePath: '/api/v1/timelines/public', ...api },
    { name: 'GET /api/v1/accounts/:id/statuses', path: statuses, baselinePath: statuses, ...api },
    { name: 'GET /api/v1/timelines/home', path: '/api/v1/timelines/home', baselinePath: '/api/v1/timelines/home', ...api },
  ];
}

/** Starts one server child, warms up and measures each target in turn, stops the child. */
async function loadServer(label: string, side: Side, env: Record<string, string>, targets: Target[], seconds: number) {
  const server = await startServer(side === 'pipit' ? SERVER_PIPIT : SERVER_BASELINE, env);
  try {
    const samples: Sample[] = [];
    for (const target of targets) {
      const url = server.url + (side === 'pipit' ? target.path : target.baselinePath);
      await check(url, target);
      const load = { connections: settings.connections, headers: target.headers };
      if (settings.warmupSeconds) await measure(url, { ...load, seconds: settings.warmupSeconds });
      const cpuBefore = server.cpuSeconds();
      const sample = await measure(url, { ...load, seconds });
      const cpuAfter = server.cpuSeconds();
      if (cpuBefore !== undefined && cpuAfter !== undefined) sample.serverCpuSeconds = cpuAfter - cpuBefore;
      const r = summarize([sample]);
      const cpu = r.cpuMsPerRequest === undefined ? '' : `, server CPU ${(r.cpuMsPerRequest * 1000).toFixed(0)} µs/req`;
      console.error(`  ${label} ${target.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${cpu}`);
      samples.push(sample);
    }
    return samples;
  } finally {
    await server.stop();
  }
}

type Side = 'pipit' | 'baseline';

/**
 * Measures both servers on every target. The time is split into rounds in alternating order
 * (Pipit then baseline, baseline then Pipit, …) so that a change in background load on the machine
 * weighs on both sides alike rather than on whichever ran second.
 */
async function compare(db: PreparedDatabase, targets: Target[]): Promise<Row[]> {
  const envs = { pipit: db.pipitEnv, baseline: db.baselineEnv };
  const samples: Record<Side, Sample[][]> = { pipit: targets.map(() => []), baseline: targets.map(() => []) };
  for (let round = 0; round < settings.rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['pipit', 'baseline'] : ['baseline', 'pipit'];
    for (const side of order) {
      const label = `${db.mode} round ${round + 1}/${settings.rounds} ${side}`;
      const results = await loadServer(label, side, envs[side], targets, settings.seconds / settings.rounds);
      results.forEach((sample, i) => samples[side][i]!.push(sample));
    }
  }
  return targets.map((target, i) => ({
    mode: db.mode,
    target: target.name,
    path: target.path,
    minRatio: target.minRatio,
    pipit: summarize(samples.pipit[i]!),
    baseline: summarize(samples.baseline[i]!),
  }));
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const info: RunInfo = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.versions.node,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    accounts: settings.accounts,
    posts: settings.posts,
    follows: settings.follows,
    connections: settings.connections,
    seconds: settings.seconds,
    warmupSeconds: settings.warmupSeconds,
    rounds: settings.rounds,
    logLevel: process.env.BENCH_LOG_LEVEL || 'info',
    loadAverage: { before: loadavg()[0]!, after: NaN },
    engines: {},
    seedSeconds: {},
    skipped: [],
  };
  const sizes = { accounts: settings.accounts, posts: settings.posts, follows: settings.follows };
  try {
    for (const mode of settings.modes) {
      console.error(`${mode}: preparing ${sizes.accounts} accounts and ${sizes.posts} posts, one account following ${sizes.follows}…`);
      const db = mode === 'embedded' ? await prepareEmbedded(sizes) : await preparePostgres(settings.databaseUrl, sizes);
      if ('skipped' in db) {
        console.error(`${mode}: skipped — ${db.skipped}`);
        info.skipped.push(`${mode}: ${db.skipped}`);
        continue;
      }
      info.engines[mode] = db.engine;
      info.seedSeconds[mode] = db.seedSeconds;
      rows.push(...(await compare(db, targetsOf(db))));
      await cleanUp();
    }
  } finally {
    await cleanUp();
  }
  if (rows.length === 0) throw new Error('nothing was measured');
  info.loadAverage.after = loadavg()[0]!;
  console.log('\n' + toMarkdown(rows, info));
  const files = saveResults(join(import.meta.dirname, 'results'), rows, info);
  console.error(`Saved ${files.join(' and ')}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
