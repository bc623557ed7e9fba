import { buildCore, loadConfig, type Core } from '../core/index.ts';
import { parseCommandArgs, type Command } from './command.ts';
import { createLogger } from './logger.ts';
import { serveUntilSignal, startService, trapSignals, type Service } from './serve.ts';
import { loadWorker } from './service-modules.ts';

/** The task manager as a service of a long-running command (`pipit worker`, `pipit start`). */
export async function startWorkerService(core: Core): Promise<Service> {
  return startService('worker', async () => {
    const { startWorker } = await loadWorker();
    const worker = await startWorker(core);
    return { close: () => worker.stop() };
  }, 'the job queue');
}

export const worker: Command = {
  name: 'worker',
  usage: 'worker',
  summary: 'run the task manager only: queues, email, schedules (on PostgreSQL, as many as you like)',
  details: [
    'Takes jobs as they are committed (LISTEN/NOTIFY), retries failures with backoff, and runs the',
    'daily statistics on STATS_CRON. Mail goes to SMTP_URL, or to DATA_DIR/mail as .eml files.',
    'WORKER_QUEUES=media-video,media-thumbnail takes only those queues (default: all of them).',
    'Serves its Prometheus metrics at :METRICS_PORT/metrics (default 9464; 0 for none).',
    'On the embedded database use `pipit start` instead: PGlite belongs to one process.',
  ].join('\n'),
  async run(args) {
    parseCommandArgs('worker', args, { options: {} });
    const config = loadConfig();
    const log = await createLogger(config);
    const trap = trapSignals(log);
    const modules = loadWorker();
    const core = await buildCore(config, { role: 'worker' });
    const metricsService = async () => {
      const server = await startService('metrics', async () => (await modules).startMetricsServer(core, config.metricsPort, config.host), `${config.host}:${config.metricsPort} for metrics`, 'METRICS_PORT, or 0 for no metrics listener');
      log.info({ port: server.port }, 'Worker metrics at /metrics');
      return server;
    };
    return serveUntilSignal(core, log, trap, [() => startWorkerService(core), ...(config.metricsPort ? [metricsService] : [])]);
  },
};
