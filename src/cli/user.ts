import { UsageError, type Command } from './command.ts';
import { userAdmin } from './user-admin.ts';
import { userCreate } from './user-create.ts';
import { userResetPassword } from './user-reset-password.ts';

export const USER_COMMANDS: readonly Command[] = [userCreate, userAdmin, userResetPassword];

/** `pipit user <subcommand>`: hands over to user-create.ts, user-admin.ts, user-reset-password.ts. */
export const user: Command = {
  name: 'user',
  usage: 'user <create|admin|reset-password> …',
  summary: 'manage accounts from the terminal',
  async run(args) {
    const [name, ...rest] = args;
    const command = findUserCommand(name);
    if (!command) throw new UsageError(name ? `unknown user command ${JSON.stringify(name)}` : 'missing the user command', 'user');
    return command.run(rest);
  },
};

export function findUserCommand(name: string | undefined): Command | undefined {
  return USER_COMMANDS.find((c) => c.name === `user ${name}`);
}
