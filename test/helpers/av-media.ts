import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Video, animated GIFs and audio made in the test by ffmpeg's own test sources (lavfi), tiny and fast to
// encode, and ffprobe's reading of what the pipeline served. Suites that need them skip themselves,
// saying why, where ffmpeg is not installed.

const run = promisify(execFile);

/** Why the video suites cannot run here, or undefined when they can. */
export const ffmpegMissing: string | undefined = ['ffmpeg', 'ffprobe'].every((program) => {
  try {
    execFileSync(program, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})
  ? undefined
  : 'ffmpeg/ffprobe are missing (apt-get install ffmpeg)';

/** Runs ffmpeg with `args` producing `name` in a temp directory, and returns the file's bytes. */
export async function makeWithFfmpeg(name: string, args: readonly string[]): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'pipit-test-av-'));
  try {
    const out = join(dir, name);
    await run('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'error', ...args, '-y', out]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface VideoOptions {
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
  audio?: boolean;
}

/** An H.264/AAC MP4 of the test pattern (with a 440 Hz tone), with GPS-like metadata to be dropped. */
export function testVideo(options: VideoOptions = {}): Promise<Buffer> {
  const { seconds = 1, width = 320, height = 240, fps = 25, audio = true } = options;
  return makeWithFfmpeg('video.mp4', [
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`,
    ...(audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'] : []),
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    ...(audio ? ['-c:a', 'aac', '-shortest'] : []),
    '-metadata', 'location=+48.8584+002.2945/',
    '-f', 'mp4',
  ]);
}

/** A VP9 WebM of odd dimensions (the transcode must make them even). */
export function oddWebm(): Promise<Buffer> {
  return makeWithFfmpeg('video.webm', ['-f', 'lavfi', '-i', 'testsrc=size=161x121:rate=10', '-t', '1', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-f', 'webm']);
}

/** A cheap long video: black frames at one a second, tiny. */
export function longVideo(seconds: number): Promise<Buffer> {
  return makeWithFfmpeg('long.mp4', ['-f', 'lavfi', '-i', 'color=c=black:size=64x48:rate=1', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4']);
}

/** An animated GIF of `frames` frames at 10 a second. */
export function animatedGif(frames = 10, size = '64x48'): Promise<Buffer> {
  return makeWithFfmpeg('anim.gif', ['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-frames:v', String(frames), '-f', 'gif']);
}

/** A second of a tone as Ogg Opus. */
export function oggOpus(): Promise<Buffer> {
  return makeWithFfmpeg('tone.ogg', ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:a', 'libopus', '-f', 'ogg']);
}

/** A second of a tone as WAV. */
export function wav(): Promise<Buffer> {
  return makeWithFfmpeg('tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', '1', '-f', 'wav']);
}

export interface Probed {
  format: { format_name: string; duration?: string; tags?: Record<string, string> };
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string; avg_frame_rate?: string }[];
}

/** ffprobe's reading of `data`. */
export async function ffprobe(data: Buffer): Promise<Probed> {
  const dir = await mkdtemp(join(tmpdir(), 'pipit-test-av-'));
  try {
    const path = join(dir, 'probe');
    await writeFile(path, data);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path]);
    return JSON.parse(stdout) as Probed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether an MP4's index (moov) comes before its data (mdat): `+faststart`. */
export function moovFirst(mp4: Buffer): boolean {
  // Top-level boxes: 4-byte size, 4-byte type.
  let offset = 0;
  while (offset + 8 <= mp4.length) {
    const size = mp4.readUInt32BE(offset);
    const type = mp4.toString('latin1', offset + 4, offset + 8);
    if (type === 'moov') return true;
    if (type === 'mdat') return false;
    if (size < 8) return false;
    offset += size;
  }
  return false;
}
