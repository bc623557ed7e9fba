import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { DomainError } from '../domain/errors.ts';

// PGlite has no lock between processes: two processes opening the same data directory corrupt it
// (electric-sql/pglite #1106). A pid file beside the directory makes the second one refuse instead.
// A lock left by a killed process (kill -9) is taken over, because its pid is no longer alive.

/** The embedded database is open in another process. */
export class DatabaseInUse extends DomainError {
  override name = 'DatabaseInUse';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock for `dir` or throws DatabaseInUse; returns the function that releases it. */
export function lockPgliteDirectory(dir: string): () => void {
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && alive(holder)) {
        throw new DatabaseInUse(
          `the embedded database in ${dir} is in use by process ${holder}. Stop that process first, or set DATABASE_URL to use PostgreSQL, which many processes can share.`,
        );
      }
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new DatabaseInUse(`could not lock ${dir}`);
}
