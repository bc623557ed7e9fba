import { loadConfig, migrate as applyMigrations } from '../core/index.ts';
import { parseCommandArgs, type Command } from './command.ts';

export const migrate: Command = {
  name: 'migrate',
  usage: 'migrate',
  summary: 'apply pending database migrations and exit (safe to run from several processes at once)',
  async run(args) {
    parseCommandArgs('migrate', args, { options: {} });
    const applied = await applyMigrations(loadConfig());
    if (applied.length === 0) console.log('The database is up to date: no migration was pending.');
    else console.log(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.`);
  },
};
