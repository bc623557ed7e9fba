import { buildCore, loadConfig } from '../core/index.ts';
import { parseCommandArgs, type Command } from './command.ts';
import { createLogger } from './logger.ts';
import { serveUntilSignal, startService, trapSignals } from './serve.ts';
import { loadWeb, loadWorker } from './service-modules.ts';
import { startWorkerService } from './worker.ts';

export const start: Command = {
  name: 'start',
  usage: 'start',
  summary: 'apply migrations, then run the website (and the task manager) in one process',
  details: 'The default for a small site (`npm start`). On the embedded database it must be the only process.',
  async run(args) {
    parseCommandArgs('start', args, { options: {} });
    const config = loadConfig();
    const log = await createLogger(config);
    const trap = trapSignals(log);
    const web = loadWeb();
    void loadWorker(); // awaited by startWorkerService
    const core = await buildCore(config);
    return serveUntilSignal(core, log, trap, [
      () => startService('web', async () => (await web).startWeb(core), `${config.host}:${config.port}`),
      // The task manager, stopped after the web (services close in this order) so no new jobs appear
      // while it finishes its running ones.
      () => startWorkerService(core),
    ]);
  },
};
