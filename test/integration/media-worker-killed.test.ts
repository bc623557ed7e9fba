import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { buildCore, loadConfig, type Core, type MediaAttachment, type QueueCounts } from '../../src/core/index.ts';
import { createScratchDatabase } from '../../src/core/db/scratch-database.ts';
import { createAccount } from '../helpers/accounts.ts';
import { ffmpegMissing, testVideo } from '../helpers/av-media.ts';
import { backends } from '../helpers/databases.ts';
import { nodeArgs, nodeEnv } from '../helpers/node-process.ts';
import { childrenNamed } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';

// A worker process killed with SIGKILL while it transcodes a video, then another started: the job
// comes back (PGlite: handed back when the next process opens the database; PostgreSQL: its heartbeat
// stops), runs again from the start on the same keys, and the attachment ends ready, with its video
// and poster, never stuck in "processing".

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'media-worker-process.ts');

interface MediaStatus {
  queues: QueueCounts[];
  media: MediaAttachment;
}

const started: ChildProcess[] = [];

async function startChild(env: Record<string, string>) {
  const child = spawn(process.execPath, nodeArgs(FIXTURE), { env: nodeEnv({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-4000)));
  child.stdin!.on('error', () => {}); // a killed worker's stdin is a broken pipe
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  const nextLine = (prefix: string, what: string) =>
    waitFor(
      () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited early (${child.exitCode ?? child.signalCode}): ${errors}`);
        const at = lines.findIndex((l) => l.startsWith(prefix));
        return at >= 0 && lines.splice(0, at + 1).at(-1)!;
      },
      { what, timeoutMs: 120_000, intervalMs: 20, describe: () => errors },
    );
  await nextLine('ready', 'the worker to start');
  return {
    process: child,
    async media(accountId: string, mediaId: string): Promise<MediaStatus> {
      child.stdin!.write(`media ${accountId} ${mediaId}\n`);
      const answer = JSON.parse((await nextLine('media ', 'the worker to report')).slice('media '.length)) as MediaStatus & { error?: string };
      if (answer.error) throw new Error(`the worker could not report: ${answer.error}`);
      return answer;
    },
  };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('media worker killed mid-transcode', { skip: ffmpegMissing ?? false }, () => {
  for (const backend of backends()) {
    describe(`(${backend.name})`, { skip: backend.skip ?? false, timeout: 600_000 }, () => {
      let dataDir: string;
      let env: Record<string, string>;
      let drop: (() => Promise<void>) | undefined;
      const open = () => buildCore(loadConfig({ ...env, NODE_ENV: 'test' }, { dotenvPath: null }));

      before(async () => {
        dataDir = await mkdtemp(join(tmpdir(), 'pipit-kill-media-'));
        const scratch = backend.name === 'postgres' ? await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'pipit_test') : undefined;
        drop = scratch?.drop;
        // One thread: the transcode lasts long enough to be caught in the middle.
        env = { DATA_DIR: dataDir, MEDIA_FFMPEG_THREADS: '1', ...(scratch ? { DATABASE_URL: scratch.url } : {}) };
      });
      after(async () => {
        for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await Promise.all(started.map(exited));
        await drop?.();
        await rm(dataDir, { recursive: true, force: true });
      });

      it('the transcode runs again after a SIGKILL and a restart, and the attachment ends ready', async () => {
        let core: Core = await open();
        const owner = await createAccount(core, 'owner');
        const uploaded = await core.media.uploadMedia(owner.id, { file: await testVideo({ seconds: 20, width: 640, height: 480, fps: 30 }) });
        await core.close();

        const first = await startChild(env);
        let seen: MediaStatus | undefined;
        let transcoders: number[] = [];
        await waitFor(
          async () => {
            seen = await first.media(owner.id, uploaded.id);
            transcoders = childrenNamed(first.process.pid!, 'ffmpeg');
            return seen.queues.find((q) => q.queue === 'media-video')?.active === 1 && (transcoders.length > 0 || !existsSync('/proc'));
          },
          { what: 'the transcode running', timeoutMs: 120_000, intervalMs: 50, describe: () => JSON.stringify(seen?.media) },
        );
        first.process.kill('SIGKILL');
        await exited(first.process);
        // The worker's ffmpeg dies with it (ffmpeg-runner.ts), rather than running on past its dead time limit.
        await waitFor(() => transcoders.every((pid) => !existsSync(`/proc/${pid}`)), { what: 'the killed worker\'s ffmpeg gone too', timeoutMs: 30_000 });
        assert.equal(seen!.media.state, 'processing');
        assert.equal(seen!.media.originalKey, null, 'killed before the transcode was stored');

        const second = await startChild(env);
        let last: MediaStatus | undefined;
        await waitFor(
          async () => {
            last = await second.media(owner.id, uploaded.id);
            return last.media.state !== 'processing';
          },
          { what: 'the attachment processed after the restart', timeoutMs: 300_000, intervalMs: 200, describe: () => JSON.stringify(last) },
        );
        second.process.kill('SIGTERM');
        await exited(second.process);

        assert.equal(last!.media.state, 'ready', last!.media.failureReason ?? '');
        core = await open();
        try {
          const media = await core.media.getMedia(owner.id, uploaded.id);
          assert.match(media.originalKey ?? '', /\/original\.mp4$/);
          assert.ok(media.smallKey);
          assert.ok((await core.media.readFile(media.originalKey!))?.size, 'the video is stored');
        } finally {
          await core.close();
        }
      });
    });
  }
});
