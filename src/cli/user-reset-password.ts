import { parseCommandArgs, type Command } from './command.ts';
import { withCore } from './open-core.ts';
import { readNewPassword } from './password-input.ts';

export const userResetPassword: Command = {
  name: 'user reset-password',
  usage: 'user reset-password <username> [--password-stdin]',
  summary: "set an account's password and log it out everywhere",
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'user reset-password',
      args,
      { options: { 'password-stdin': { type: 'boolean', default: false } } },
      ['username'],
    );
    await withCore(async (core) => {
      // Before asking: nobody should type a password twice for an account that does not exist.
      const { username } = await core.accounts.getAccountByUsername(positionals[0]!);
      const password = await readNewPassword('user reset-password', values['password-stdin']);
      await core.accounts.resetPassword(username, password);
      console.log(`Changed the password of @${username} and ended all of its sessions.`);
    });
  },
};
