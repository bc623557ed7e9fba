import { ConfigError, DomainError, isDatabaseUnavailable } from '../core/index.ts';
import { Failure, Interrupted, UsageError } from './command.ts';
import { findCommand } from './commands.ts';
import { commandHelp, generalHelp, USAGE } from './help.ts';

// The `pipit` command: finds the command, runs it, and turns what can go wrong into one line on
// stderr and an exit code — 2 for a bad command line or configuration, 1 for a failure, 130 when
// interrupted. Only unexpected errors print a stack trace.

const HELP_FLAGS = new Set(['--help', '-h']);

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(generalHelp());
    return 2;
  }
  if (name === 'help' || HELP_FLAGS.has(name)) {
    if (rest.length === 0) {
      console.log(generalHelp());
      return 0;
    }
    const command = findCommand(rest);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(rest.join(' '))}`);
    console.log(commandHelp(command));
    return 0;
  }
  const command = findCommand(argv);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  // `user create …` is two words long; the command gets what follows them.
  const args = argv.slice(command.name.split(' ').length);
  if (args.some((arg) => HELP_FLAGS.has(arg))) {
    console.log(commandHelp(command));
    return 0;
  }
  return (await command.run(args)) ?? 0;
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    const command = error.command ? findCommand(error.command.split(' ')) : undefined;
    console.error(`pipit: ${error.message}`);
    console.error(command ? `usage: pipit ${command.usage}` : USAGE);
    return 2;
  }
  if (error instanceof ConfigError) {
    console.error(`pipit: configuration error: ${error.message}`);
    return 2;
  }
  if (error instanceof Interrupted) return 130;
  if (error instanceof Failure || error instanceof DomainError) {
    console.error(`pipit: ${error.message}`);
    return 1;
  }
  if (isDatabaseUnavailable(error)) {
    console.error(`pipit: cannot reach the database: ${(error as Error).message} (check DATABASE_URL)`);
    return 1;
  }
  console.error('pipit: unexpected error:', error);
  return 1;
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  code = report(error);
}
// A command is done when main returns: let output drain and exit, and if a library left a timer or
// socket holding the process open, exit anyway a moment later.
process.exitCode = code;
setTimeout(() => process.exit(code), 1_000).unref();
