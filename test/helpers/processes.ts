import { existsSync, readdirSync, readFileSync } from 'node:fs';

// The children of a process, read from Linux's /proc: for the tests that kill a worker and look for the
// program it ran (ffmpeg, heif-convert) afterwards.

/** The processes named `name` whose parent is `pid` (none where there is no /proc). */
export function childrenNamed(pid: number, name: string): number[] {
  if (!existsSync('/proc')) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …"
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (match && match[1] === name && Number(match[2]) === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
