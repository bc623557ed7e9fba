import { buildCore, loadConfig } from '../core/index.ts';
import { Failure, parseCommandArgs, type Command } from './command.ts';
import { createLogger } from './logger.ts';
import { closeAll, runUntilSignal, startService, trapSignals } from './serve.ts';
import { loadWeb } from './service-modules.ts';

const NOT_MIGRATED = 'the database schema is not up to date: run `pipit migrate` first';

export const web: Command = {
  name: 'web',
  usage: 'web [--no-migrate]',
  summary: 'run the website only (on PostgreSQL, as many of these as you like)',
  details: [
    'Applies pending migrations first (safe from several processes at once). With --no-migrate it',
    'leaves the schema to a separate `pipit migrate` and refuses to start while a migration is pending.',
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('web', args, { options: { 'no-migrate': { type: 'boolean', default: false } } });
    const migrate = !values['no-migrate'];
    const config = loadConfig();
    const log = await createLogger(config);
    const trap = trapSignals(log);
    const web = loadWeb();
    const core = await buildCore(config, { migrate, role: 'web' }).catch((error: unknown) => {
      // pg-boss checks its own schema first, before our readiness check below can say it better.
      if (!migrate && /pg-boss is not installed/.test(String((error as Error)?.message))) throw new Failure(NOT_MIGRATED);
      throw error;
    });
    try {
      if (!migrate) {
        const readiness = await core.readiness();
        if (!readiness.ready) {
          throw new Failure(
            readiness.reason === 'migrations pending'
              ? NOT_MIGRATED
              : `the database is not ready: ${readiness.reason ?? 'unknown reason'}`,
          );
        }
      }
      const server = await startService('web', async () => (await web).startWeb(core), `${config.host}:${config.port}`);
      return await runUntilSignal(core, [server], log, trap);
    } catch (error) {
      await closeAll(core, []);
      throw error;
    }
  },
};
