import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One `pipit` command. `run` returns the exit code (0 when it returns nothing). */
export interface Command {
  readonly name: string;
  /** The arguments after the command's name, as in `pipit user create <username> <email> [--admin]`. */
  readonly usage: string;
  /** One line for `pipit help`. */
  readonly summary: string;
  /** More lines for `pipit help <command>`, if any. */
  readonly details?: string;
  run(args: string[]): Promise<number | void>;
}

/** The command line is wrong: main prints the message and the command's usage, and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose usage to show (`undefined`: the general one). */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** The person stopped the command (Ctrl-C at a prompt): exit 130 as shells do, without a message. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/**
 * `parseArgs` in strict mode, its complaints turned into a UsageError for `command`,
 * and the number of positionals checked against `positionals` (names, `?` marks optional ones).
 */
export function parseCommandArgs<T extends Omit<ParseArgsConfig, 'strict' | 'allowPositionals'>>(
  command: string,
  args: string[],
  config: T,
  positionals: readonly string[] = [],
) {
  let parsed;
  try {
    parsed = parseArgs({ ...config, args, strict: true, allowPositionals: true } as T & { strict: true; allowPositionals: true });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((error as Error).message, command);
    throw error;
  }
  const required = positionals.filter((p) => !p.endsWith('?'));
  const given = parsed.positionals.length;
  if (given < required.length) throw new UsageError(`missing <${required[given]}>`, command);
  if (given > positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals.length])}`, command);
  return parsed;
}

/** A whole number from a flag, or a UsageError naming the flag. */
export function wholeNumber(command: string, flag: string, value: string | undefined, fallback: number, max = 10_000_000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new UsageError(`--${flag} must be a whole number from 0 to ${max} (got ${JSON.stringify(value)})`, command);
  return Number(value);
}

/** The command failed for a reason the person can act on: main prints the message alone and exits with 1. */
export class Failure extends Error {
  override name = 'Failure';
}
