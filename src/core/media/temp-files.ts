import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The temp directories ffmpeg and heif-convert work in (av-pipeline.ts, heic.ts): one per step, under the system's temp folder,
// removed when the step ends. A worker killed mid-transcode cannot remove its own, so each process looks,
// at most once an hour, for ones older than any step may last (the media-video queue's 1,800 s attempt,
// with room) and removes them: a killed transcode's copy of a 100 MB upload does not stay for good.

const PREFIX = 'pipit-media-';
/** Older than this, no running step can still own a directory. */
const ABANDONED_MS = 2 * 3600 * 1000;
const SWEEP_EVERY_MS = 3600 * 1000;
let lastSweep = 0;

/** Removes temp directories of ours that no step can still be using; how many. */
export async function removeAbandonedTempDirs(now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const path = join(tmpdir(), name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || now - info.mtimeMs < ABANDONED_MS) continue;
    await rm(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** A fresh temp directory for one step (and, once an hour, the sweep of abandoned ones). */
export async function newTempDir(): Promise<string> {
  if (Date.now() - lastSweep > SWEEP_EVERY_MS) {
    lastSweep = Date.now();
    // Best effort: a failed sweep must not fail the step.
    await removeAbandonedTempDirs().catch(() => 0);
  }
  return mkdtemp(join(tmpdir(), PREFIX));
}
