import type { Core } from '../core/index.ts';
import { parseCommandArgs, type Command } from './command.ts';
import { withCore } from './open-core.ts';
import { readNewPassword } from './password-input.ts';

export const userCreate: Command = {
  name: 'user create',
  usage: 'user create <username> <email> [--admin] [--password-stdin]',
  summary: 'create an account (asks for its password, or reads it from standard input)',
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'user create',
      args,
      { options: { admin: { type: 'boolean', default: false }, 'password-stdin': { type: 'boolean', default: false } } },
      ['username', 'email'],
    );
    const [username, email] = positionals as [string, string];
    const password = await readNewPassword('user create', values['password-stdin']);
    await withCore(async (core: Core) => {
      const account = await core.accounts.signUp({ username, email, password }, { admin: values.admin });
      console.log(`Created ${account.isAdmin ? 'admin ' : ''}account @${account.username} (id ${account.id}).`);
    });
  },
};
