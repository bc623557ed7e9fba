import { Failure, Interrupted, UsageError } from './command.ts';

// Passwords never come from the command line (they would sit in shell history and `ps`): either a
// prompt that does not echo, or standard input for scripts (`--password-stdin`, as docker login does).

const STDIN_LIMIT = 64 * 1024;

/** Reads the whole of standard input; one trailing newline is dropped (`echo secret | …`). */
export async function readPasswordFromStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > STDIN_LIMIT) throw new Failure('standard input is too long for a password');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed; Ctrl-C or Ctrl-D on an empty line interrupts. */
export function promptHidden(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    // Escape sequences (arrow and function keys) are skipped, not typed: ESC, then `[` or `O`,
    // parameters, and a final character from @ to ~.
    let escape: 'none' | 'start' | 'body' = 'none';
    // Echo goes off before the question appears, so nothing typed after it can be shown.
    input.setRawMode(true);
    input.setEncoding('utf8');
    output.write(question);
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (escape === 'start') {
          escape = char === '[' || char === 'O' ? 'body' : 'none';
          continue;
        }
        if (escape === 'body') {
          if (char >= '@' && char <= '~') escape = 'none';
          continue;
        }
        if (char === '\u001b') escape = 'start';
        else if (char === '\r' || char === '\n') return finish();
        else if (char === '\u0003' || (char === '\u0004' && value === '')) return finish(new Interrupted());
        else if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char === '\u0015') value = ''; // Ctrl-U clears the line
        else if (char >= ' ') value += char;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The new password for `user create` / `user reset-password`: from standard input with
 * `--password-stdin`, else asked twice on the terminal. Without a terminal it is a usage error.
 */
export async function readNewPassword(command: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) return readPasswordFromStdin();
  if (!process.stdin.isTTY) {
    throw new UsageError('standard input is not a terminal, so there is no one to ask for the password: pipe it in with --password-stdin', command);
  }
  const password = await promptHidden('New password: ');
  const again = await promptHidden('Repeat the password: ');
  if (password !== again) throw new Failure('the two passwords differ; nothing was changed');
  return password;
}
