import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { runTool, ToolFailed, videoSupport } from '../../src/core/media/ffmpeg-runner.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';
import { childrenNamed } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';

// The child-process runner ffmpeg and ffprobe go through: a run past its limit is killed, a program
// that is not there is said to be missing, and a worker killed with SIGKILL takes its silent child with
// it (setpriv --pdeathsig) instead of leaving it running with no time limit left.

it('kills a run at its time limit and says so', async () => {
  await assert.rejects(runTool('sleep', ['30'], 100), (error: unknown) => error instanceof ToolFailed && error.timedOut && /past its/.test(error.message));
});

it('says a program cannot be started, and videoSupport why video is refused', async () => {
  await assert.rejects(runTool('/nonexistent/ffmpeg', ['-version'], 5000), (error: unknown) => error instanceof ToolFailed && /could not be started/.test(error.message));
  const support = await videoSupport({ ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: '/nonexistent/ffprobe' });
  assert.equal(support.ok, false);
  assert.match((support as { reason: string }).reason, /ffmpeg is not installed on this server \(\/nonexistent\/ffmpeg and \/nonexistent\/ffprobe cannot be run/);
});

it('a run ends with its parent killed by SIGKILL, even a silent one', { skip: existsSync('/usr/bin/setpriv') && existsSync('/proc') ? false : 'needs /usr/bin/setpriv (util-linux) and /proc' }, async () => {
  const parent = spawn(process.execPath, nodeArgs(join(import.meta.dirname, '..', 'fixtures', 'run-tool-process.ts')), { env: nodeEnv({ PATH: process.env.PATH ?? '' }), stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let sleeping: number[] = [];
    await waitFor(() => (sleeping = childrenNamed(parent.pid!, 'sleep')).length === 1, { what: 'the silent program running' });
    parent.kill('SIGKILL');
    await waitFor(() => !existsSync(`/proc/${sleeping[0]}`), { what: 'the program gone with its parent' });
  } finally {
    if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
  }
});

it('bounds a run\'s address space when asked (prlimit: the kernel then refuses any allocation past it)', { skip: existsSync('/usr/bin/prlimit') ? false : 'needs /usr/bin/prlimit (util-linux)' }, async () => {
  const { stdout } = await runTool('/bin/sh', ['-c', 'ulimit -v'], 5000, { memoryMb: 300 });
  assert.equal(stdout.trim(), String(300 * 1024), 'the limit, in KiB, as the program sees it');
  assert.equal((await runTool('/bin/sh', ['-c', 'ulimit -v'], 5000)).stdout.trim(), 'unlimited', 'no bound unless asked');
});
