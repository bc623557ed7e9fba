import { AvRefused, safeInput, type AvInputFormat, type AvProbe } from './av-probe.ts';
import { runTool, ToolFailed } from './ffmpeg-runner.ts';

// The served files of a video, an animated GIF or an audio file, made by ffmpeg from the upload (a temp
// file) into a temp file the pipeline then stores:
// - video and gifv: H.264 (yuv420p, even dimensions, at most 1920 pixels a side and 60 frames a second)
//   in MP4 with the index first (`+faststart`: a browser starts playing before the end has arrived);
//   video keeps its first audio track as AAC stereo, gifv has none (a silent loop, as Mastodon serves it).
// - audio: MP3 (LAME VBR ~190 kb/s). Mastodon serves audio as MP3 too, so clients expect it, and every
//   browser and phone plays it; a cover picture is dropped.
// - the poster frame: one PNG frame, bounded to 1280 pixels a side, for sharp to make the preview.
// Metadata (GPS positions of phone videos, encoder tags) is dropped from every output (`-map_metadata -1`).

/** The largest side of a transcoded video, and its highest frame rate. */
export const VIDEO_MAX_SIDE = 1920;
export const VIDEO_MAX_FPS = 60;

export interface AvRunOptions {
  ffmpeg: string;
  threads: number;
  timeoutMs: number;
  /** Each run's address space, in MiB (runTool's limits). */
  memoryMb: number;
  /** The longest output (the duration limit, for inputs whose container did not say). */
  maxSeconds: number;
}

/** Before the input: `-threads` there bounds the decoder only (ffmpeg's options belong to the file they precede). */
function common(options: AvRunOptions): string[] {
  return ['-nostdin', '-hide_banner', '-v', 'error', '-threads', String(options.threads), '-filter_threads', String(options.threads)];
}

/** After the input: the encoder's own bound (libx264 otherwise takes 1.5 threads a core, whatever the decoder has). */
function encoderThreads(options: AvRunOptions): string[] {
  return ['-threads', String(options.threads)];
}

/** Runs ffmpeg; a timeout or a decoding failure is the file's fault (AvRefused), a missing ffmpeg is not. */
async function run(options: AvRunOptions, args: string[], what: string): Promise<void> {
  try {
    await runTool(options.ffmpeg, args, options.timeoutMs, { memoryMb: options.memoryMb });
  } catch (error) {
    if (!(error instanceof ToolFailed) || /could not be started/.test(error.message)) throw error;
    if (error.timedOut) throw new AvRefused(`The ${what} took longer than ${Math.round(options.timeoutMs / 1000)} seconds to process: upload a shorter or smaller file.`);
    throw new AvRefused(`The ${what} could not be decoded: the file is truncated or corrupt.`);
  }
}

/** Transcodes a video or animated GIF into a web MP4 at `output`. */
export async function transcodeVideo(input: string, format: AvInputFormat, probe: AvProbe, output: string, options: AvRunOptions): Promise<void> {
  const scale = `scale=w='min(${VIDEO_MAX_SIDE},iw)':h='min(${VIDEO_MAX_SIDE},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2,format=yuv420p`;
  const audio = probe.kind === 'video' && probe.hasAudio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k', '-ac', '2'] : ['-an'];
  const args = [
    ...common(options),
    ...safeInput(format, input),
    '-map', '0:v:0',
    ...audio,
    '-sn', '-dn',
    '-vf', scale,
    '-fpsmax', String(VIDEO_MAX_FPS),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    ...encoderThreads(options),
    '-t', String(options.maxSeconds),
    '-map_metadata', '-1', '-map_chapters', '-1',
    '-movflags', '+faststart',
    '-f', 'mp4', '-y', `file:${output}`,
  ];
  await run(options, args, probe.kind === 'gifv' ? 'GIF' : 'video');
}

/** Re-encodes an audio file as MP3 at `output`. */
export async function transcodeAudio(input: string, format: AvInputFormat, output: string, options: AvRunOptions): Promise<void> {
  const args = [
    ...common(options),
    ...safeInput(format, input),
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-c:a', 'libmp3lame', '-q:a', '2',
    ...encoderThreads(options),
    '-t', String(options.maxSeconds),
    '-map_metadata', '-1',
    '-f', 'mp3', '-y', `file:${output}`,
  ];
  await run(options, args, 'audio');
}

/** Writes the poster frame of a video (a third of a second in, or a third of a short clip) as PNG at `output`. */
export async function posterFrame(input: string, format: AvInputFormat, probe: AvProbe, output: string, options: AvRunOptions): Promise<void> {
  const at = probe.duration === undefined ? 0 : Math.min(1, probe.duration / 3);
  const args = [
    ...common(options),
    '-ss', at.toFixed(3),
    ...safeInput(format, input),
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-frames:v', '1',
    '-vf', "scale=w='min(1280,iw)':h='min(1280,ih)':force_original_aspect_ratio=decrease",
    '-map_metadata', '-1',
    '-f', 'image2', '-c:v', 'png', ...encoderThreads(options), '-y', `file:${output}`,
  ];
  await run(options, args, 'video');
}
