import { buildCore, loadConfig } from '../core/index.ts';
import { Failure, parseCommandArgs, UsageError, wholeNumber, type Command } from './command.ts';
import { progressBar } from './progress-bar.ts';

export const seed: Command = {
  name: 'seed',
  usage: 'seed [--accounts N] [--posts M] [--days D] [--allow-production]',
  summary: 'fill the database with sample accounts and posts (demos, benchmarks)',
  details: [
    'Defaults: 100 accounts, 1000 posts spread over the last 30 days. Every seeded account shares one',
    'published password, so seeding refuses to run with NODE_ENV=production unless --allow-production.',
  ].join('\n'),
  async run(args) {
    const { values } = parseCommandArgs('seed', args, {
      options: {
        accounts: { type: 'string' },
        posts: { type: 'string' },
        days: { type: 'string' },
        'allow-production': { type: 'boolean', default: false },
      },
    });
    const accounts = wholeNumber('seed', 'accounts', values.accounts, 100);
    const posts = wholeNumber('seed', 'posts', values.posts, 1000);
    const days = wholeNumber('seed', 'days', values.days, 30, 3650);
    if (posts > 0 && accounts === 0) throw new UsageError('posts need authors: --accounts must be at least 1', 'seed');
    if (days === 0) throw new UsageError('--days must be at least 1', 'seed');

    const config = loadConfig();
    if (config.nodeEnv === 'production' && !values['allow-production']) {
      throw new Failure('refusing to seed a production database: every seeded account has a published password (add --allow-production to insist)');
    }
    const bar = await progressBar('Seeding [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left');
    const core = await buildCore(config, { role: 'command' });
    const started = performance.now();
    try {
      bar.start(accounts + posts, 0);
      const made = await core.seed({ accounts, posts, days, onProgress: (done) => bar.update(done) });
      bar.stop();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`Seeded ${made.accounts} accounts and ${made.posts} posts in ${seconds} s (${core.databaseKind}).`);
      if (made.accounts > 0) console.log(`Every seeded account logs in with the password: ${made.password}`);
    } finally {
      bar.stop();
      await core.close();
    }
  },
};
