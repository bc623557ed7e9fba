import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { newTempDir, removeAbandonedTempDirs } from '../../src/core/media/temp-files.ts';

// ffmpeg's temp directories: one a killed worker left behind (older than any step lasts) is swept; one a
// running step uses is not, nor anything else in the temp folder.

it('removes abandoned pipit-media directories only', async () => {
  const abandoned = await newTempDir();
  await writeFile(join(abandoned, 'upload'), 'x');
  const threeHoursAgo = new Date(Date.now() - 3 * 3600 * 1000);
  await utimes(abandoned, threeHoursAgo, threeHoursAgo);
  const running = await newTempDir();
  const someoneElse = await mkdtemp(join(tmpdir(), 'other-'));
  await utimes(someoneElse, threeHoursAgo, threeHoursAgo);
  try {
    assert.ok((await removeAbandonedTempDirs()) >= 1);
    assert.equal(existsSync(abandoned), false);
    assert.equal(existsSync(running), true);
    assert.equal(existsSync(someoneElse), true);
  } finally {
    await rm(running, { recursive: true, force: true });
    await rm(someoneElse, { recursive: true, force: true });
  }
});
