import { runTool, ToolFailed } from './ffmpeg-runner.ts';
import type { AvContainer } from './sniff.ts';

// What a video, an animated GIF or an audio file is, read by ffprobe, and whether Pipit accepts it. The
// input format is always named (`-f`, from sniff.ts's container), never guessed: ffmpeg's guessing is
// how a file called .mp4 that is really an HLS playlist or an ffconcat list makes a media server read
// local files or reach the network. `-protocol_whitelist file` shuts the remaining doors (no http, no
// concat, no subfile), and only the codecs listed here are decoded at all.

/** Why a file cannot be used: permanent, shown to its owner. */
export class AvRefused extends Error {
  override name = 'AvRefused';
}

/** Everything the pipeline feeds ffmpeg: a container it sniffed, or an animated GIF. */
export type AvInputFormat = AvContainer | 'gif';

/** The ffmpeg demuxer of each accepted container: the only ones ever used. */
export const DEMUXERS: Record<AvInputFormat, string> = {
  mp4: 'mov',
  mov: 'mov',
  m4a: 'mov',
  webm: 'matroska',
  mp3: 'mp3',
  ogg: 'ogg',
  wav: 'wav',
  flac: 'flac',
  gif: 'gif',
};

const VIDEO_CODECS = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4', 'h263', 'gif']);
const AUDIO_CODECS = new Set(['aac', 'mp3', 'opus', 'vorbis', 'flac', 'alac', 'pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_u8', 'pcm_s16be']);

export interface AvLimits {
  maxSeconds: number;
  maxPixels: number;
  maxFrameRate: number;
  maxGifFrames: number;
}

export interface AvProbe {
  kind: 'video' | 'gifv' | 'audio';
  /** Seconds, when the container says (a browser recording may not: then the transcode is cut at the limit). */
  duration: number | undefined;
  width: number | undefined;
  height: number | undefined;
  /** Frames per second as a fraction (`30000/1001`), as Mastodon writes `frame_rate`. */
  frameRate: string | undefined;
  /** Bits per second of the whole file. */
  bitrate: number | undefined;
  hasAudio: boolean;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_read_packets?: string;
  disposition?: { attached_pic?: number };
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { duration?: string; bit_rate?: string };
}

/** The arguments that make any ffmpeg/ffprobe read of an upload safe: file protocol only, a named demuxer. */
export function safeInput(format: AvInputFormat, path: string): string[] {
  return ['-protocol_whitelist', 'file', '-f', DEMUXERS[format], '-i', `file:${path}`];
}

function fraction(text: string | undefined): number | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!match || Number(match[2]) === 0 || Number(match[1]) === 0) return undefined;
  return Number(match[1]) / Number(match[2]);
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function minutes(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${Math.round(seconds)} seconds`;
}

/** Reads `path` (of the sniffed `format`) with ffprobe and judges it against `limits`; throws AvRefused. */
export async function probeAv(ffprobe: string, path: string, format: AvInputFormat, limits: AvLimits, timeoutMs: number, memoryMb?: number): Promise<AvProbe> {
  const args = ['-hide_banner', '-v', 'error', ...(format === 'gif' ? ['-count_packets'] : []), '-print_format', 'json', '-show_format', '-show_streams', ...safeInput(format, path)];
  let output: ProbeOutput;
  try {
    output = JSON.parse((await runTool(ffprobe, args, timeoutMs, { memoryMb })).stdout) as ProbeOutput;
  } catch (error) {
    if (error instanceof ToolFailed && error.timedOut) throw new AvRefused('The file took too long to read: it may be corrupt.');
    if (error instanceof ToolFailed && /could not be started/.test(error.message)) throw error;
    throw new AvRefused('The file could not be read as video or audio: it is truncated, corrupt, or not what it seems.');
  }
  const streams = output.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const duration = positive(output.format?.duration);
  const bitrate = positive(output.format?.bit_rate);
  if (duration !== undefined && duration > limits.maxSeconds) {
    throw new AvRefused(`This file lasts ${minutes(duration)}; Pipit accepts at most ${minutes(limits.maxSeconds)}. Cut it and upload it again.`);
  }
  if (!video) {
    if (!audio) throw new AvRefused('The file has neither video nor audio in it.');
    if (!AUDIO_CODECS.has(audio.codec_name ?? '')) throw new AvRefused(`Audio in ${String(audio.codec_name ?? 'this format').toUpperCase()} is not accepted: use MP3, AAC, Opus, Vorbis or FLAC.`);
    return { kind: 'audio', duration, width: undefined, height: undefined, frameRate: undefined, bitrate: bitrate === undefined ? undefined : Math.round(bitrate), hasAudio: true };
  }
  if (!VIDEO_CODECS.has(video.codec_name ?? '')) throw new AvRefused(`Video in ${String(video.codec_name ?? 'this format').toUpperCase()} is not accepted: use H.264, HEVC, VP8, VP9 or AV1.`);
  const { width, height } = video;
  if (!width || !height) throw new AvRefused('The video has no size: it may be corrupt.');
  if (width * height > limits.maxPixels) {
    throw new AvRefused(`The video is ${width} × ${height} pixels; Pipit accepts at most ${(limits.maxPixels / 1e6).toFixed(1)} megapixels. Make it smaller and upload it again.`);
  }
  const frameRateText = fraction(video.avg_frame_rate) !== undefined ? video.avg_frame_rate : fraction(video.r_frame_rate) !== undefined ? video.r_frame_rate : undefined;
  const fps = fraction(frameRateText);
  if (format === 'gif') {
    const frames = Number(video.nb_read_packets ?? 0);
    if (frames > limits.maxGifFrames) throw new AvRefused(`This GIF has ${frames} frames; Pipit accepts at most ${limits.maxGifFrames}. Shorten it and upload it again.`);
  } else if (fps !== undefined && fps > limits.maxFrameRate) {
    throw new AvRefused(`The video has ${Math.round(fps)} frames a second; Pipit accepts at most ${limits.maxFrameRate}. Export it at a lower frame rate.`);
  }
  return {
    kind: format === 'gif' ? 'gifv' : 'video',
    duration,
    width,
    height,
    frameRate: frameRateText,
    bitrate: bitrate === undefined ? undefined : Math.round(bitrate),
    hasAudio: format !== 'gif' && audio !== undefined && AUDIO_CODECS.has(audio.codec_name ?? ''),
  };
}
