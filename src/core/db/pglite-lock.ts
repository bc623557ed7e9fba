import { readFileSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { DomainError } from '../domain/errors.ts';

// PGlite has no lock between processes: two processes opening the same data directory corrupt it
// (electric-sql/pglite #1106). So the directory is guarded by an operating-system lock: SQLite's
// (built into Node as node:sqlite), held by an open write transaction on `<dir>.lock.sqlite`. The
// kernel drops the lock when its process dies, however it dies, so there is no stale lock to judge:
// no pid that might be reused (a container restarted after a crash is pid 1 again) and no take-over
// race between two starters — the kernel grants the lock to exactly one of them. The holder's pid is
// recorded in the same file only to name it in the refusal.
//
// Pipit before this used a pid file, `<dir>.lock`; one left behind is removed once we hold the lock,
// unless the process it names is still alive (an older Pipit still running on the directory).

/** The embedded database is open in another process. */
export class DatabaseInUse extends DomainError {
  override name = 'DatabaseInUse';
}

function inUse(dir: string, holder: number | undefined): DatabaseInUse {
  const who = holder ? `process ${holder}` : 'another process';
  return new DatabaseInUse(
    `the embedded database in ${dir} is in use by ${who}. Stop that process first, or set DATABASE_URL to use PostgreSQL, which many processes can share.`,
  );
}

function isBusy(error: unknown): boolean {
  return /database is locked|SQLITE_BUSY/i.test(String((error as Error)?.message));
}

/** The pid a lock file records; `undefined` when it cannot be read right now. */
function recordedHolder(file: DatabaseSync): number | undefined {
  try {
    file.exec('PRAGMA busy_timeout = 500');
    const row = file.prepare('SELECT pid FROM holder').get() as { pid: number } | undefined;
    return row?.pid;
  } catch {
    return undefined;
  }
}

/** A pid file of the former scheme whose process is still alive (and not us). */
function legacyHolder(path: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** Takes the lock for `dir` or throws DatabaseInUse; returns the function that releases it. */
export function lockPgliteDirectory(dir: string): () => void {
  const file = new DatabaseSync(`${dir}.lock.sqlite`, { timeout: 0 });
  try {
    file.exec('CREATE TABLE IF NOT EXISTS holder (pid integer NOT NULL)');
    // Record our pid, then take the lock. Between the two another starter may take it: then we are
    // refused below, which is right (exactly one holds it), only the pid named may be ours.
    file.exec('BEGIN IMMEDIATE');
    file.exec('DELETE FROM holder');
    file.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    file.exec('COMMIT');
    file.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if (!isBusy(error)) {
      file.close();
      throw error;
    }
    const holder = recordedHolder(file);
    file.close();
    throw inUse(dir, holder);
  }
  const release = () => {
    try {
      file.exec('ROLLBACK');
      file.close();
    } catch {
      // already released
    }
  };
  const legacy = `${dir}.lock`;
  const older = legacyHolder(legacy);
  if (older) {
    release();
    throw inUse(dir, older);
  }
  rmSync(legacy, { force: true });
  return release;
}
