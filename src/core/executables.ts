import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

// The external programs Pipit runs (libheif's heif-convert) are found once, when the configuration is
// read: the web then knows at once whether it accepts what needs them, and the worker runs a full path.

/** The program at `command` (a name looked up on `path`, PATH's value, or a path), or undefined when it is not there. */
export function findExecutable(command: string, path: string): string | undefined {
  const candidates = command.includes('/') ? [resolve(command)] : path.split(delimiter).filter(isAbsolute).map((dir) => join(dir, command));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
