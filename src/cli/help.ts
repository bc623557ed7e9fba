import type { Command } from './command.ts';
import { ALL_COMMANDS } from './commands.ts';

export const USAGE = 'usage: pipit <command> [options]   (pipit help lists the commands)';

/** `pipit help`: every command with its one-line summary, and where configuration comes from. */
export function generalHelp(): string {
  return [
    'Pipit, a microblogging server.',
    '',
    'Commands:',
    ...ALL_COMMANDS.flatMap((c) => [`  pipit ${c.usage}`, `      ${c.summary}`]),
    '  pipit help [command]',
    "      show this, or one command's help (also: pipit <command> --help)",
    '',
    'Settings come from the environment or a .env file in the working directory (see .env.example).',
    'Exit codes: 0 done, 1 failed, 2 bad command line or configuration.',
  ].join('\n');
}

/** `pipit help <command>` and `pipit <command> --help`. */
export function commandHelp(command: Command): string {
  return [`usage: pipit ${command.usage}`, '', command.summary, ...(command.details ? ['', command.details] : [])].join('\n');
}
