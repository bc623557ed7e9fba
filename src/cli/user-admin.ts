import { parseCommandArgs, type Command } from './command.ts';
import { withCore } from './open-core.ts';

export const userAdmin: Command = {
  name: 'user admin',
  usage: 'user admin <username> [--revoke]',
  summary: 'make an account an admin, or with --revoke no longer one',
  async run(args) {
    const { values, positionals } = parseCommandArgs('user admin', args, { options: { revoke: { type: 'boolean', default: false } } }, ['username']);
    await withCore(async (core) => {
      const account = await core.accounts.setAdmin(positionals[0]!, !values.revoke);
      console.log(account.isAdmin ? `@${account.username} is now an admin.` : `@${account.username} is no longer an admin.`);
    });
  },
};
