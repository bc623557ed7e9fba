import type { Command } from './command.ts';
import { migrate } from './migrate.ts';
import { seed } from './seed.ts';
import { start } from './start.ts';
import { user, USER_COMMANDS, findUserCommand } from './user.ts';
import { web } from './web.ts';
import { worker } from './worker.ts';
import { stats } from './stats.ts';
import { jobs } from './jobs.ts';

/** The commands `pipit <name>` runs (help is main's own). */
export const COMMANDS: readonly Command[] = [start, web, worker, migrate, seed, user, stats, jobs];

/** Every command with its own usage line, subcommands included, in the order help lists them. */
export const ALL_COMMANDS: readonly Command[] = [start, web, worker, migrate, seed, ...USER_COMMANDS, stats, jobs];

/** The command named by the first words of `argv` (`user create …` finds `user create`). */
export function findCommand(argv: readonly string[]): Command | undefined {
  const [first, second] = argv;
  if (first === 'user') return findUserCommand(second) ?? user;
  return COMMANDS.find((c) => c.name === first);
}
