import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { removeAbandonedTempDirs } from '../../src/core/media/temp-files.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';
import { childrenNamed } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';

// heif-convert runs as ffmpeg does (ffmpeg-runner.ts, temp-files.ts): a worker killed with SIGKILL
// mid-conversion takes the converter with it rather than leaving it running with no time limit left, and
// the temp directory it leaves is one the hourly sweep removes. The converter is a stand-in script that
// never ends, as heif-convert stuck on a crafted file would.

it('a HEIC conversion ends with its worker killed by SIGKILL, and its temp directory is swept', { skip: existsSync('/usr/bin/setpriv') && existsSync('/proc') ? false : 'needs /usr/bin/setpriv (util-linux) and /proc' }, async () => {
  const temp = await mkdtemp(join(tmpdir(), 'pipit-test-heic-'));
  const converter = join(temp, 'stuck-heif-convert');
  await writeFile(converter, '#!/bin/sh\nexec sleep 300\n');
  await chmod(converter, 0o755);
  const parent = spawn(process.execPath, [...nodeArgs(join(import.meta.dirname, '..', 'fixtures', 'heic-convert-process.ts')), converter], {
    env: nodeEnv({ PATH: process.env.PATH ?? '', TMPDIR: temp }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let converting: number[] = [];
  try {
    await waitFor(() => (converting = childrenNamed(parent.pid!, 'sleep')).length === 1, { what: 'the converter running' });
    parent.kill('SIGKILL');
    await waitFor(() => !existsSync(`/proc/${converting[0]}`), { what: 'the converter gone with its worker' });
    // What the killed conversion left, found by the sweep once no step can still own it.
    const left = (await readdir(temp)).filter((name) => name !== 'stuck-heif-convert');
    assert.equal(left.length, 1, `one temp directory left: ${left.join(', ')}`);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      assert.equal(await removeAbandonedTempDirs(Date.now() + 3 * 3600 * 1000), 1);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    assert.deepEqual(await readdir(temp), ['stuck-heif-convert']);
  } finally {
    if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    // Without the fix the converter outlives its parent: it must not outlive the test.
    for (const pid of converting) if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
    await rm(temp, { recursive: true, force: true });
  }
});
