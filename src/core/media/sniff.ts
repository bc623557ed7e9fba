// What an upload is, from its first bytes: the cheap check made while the request is still open, so a
// text file named .jpg or .mp4, an SVG, an HTML page or a playlist (HLS, ffconcat) is refused at once
// with a message, and only a file that starts as an image Pipit decodes, or as a video or audio container
// it accepts, is kept. It decides nothing more: the probe job then has sharp or ffprobe read the whole
// header (format, dimensions, duration), with the container named here as ffprobe's input format, and is
// the real judge. A handful of fixed signatures (the
// formats' own magic numbers) is all this needs, which a general detection library would not improve.

export type SniffedFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'heif';

export type Sniffed = { ok: true; format: SniffedFormat } | { ok: false; reason: string };

/** Video and audio containers Pipit accepts (each maps to one ffmpeg demuxer: av-probe.ts). */
export type AvContainer = 'mp4' | 'mov' | 'webm' | 'mp3' | 'ogg' | 'wav' | 'flac' | 'm4a';

/** What an attachment upload is from its first bytes: an image, or a video or audio container. */
export type SniffedUpload =
  | { ok: true; kind: 'image'; format: SniffedFormat }
  | { ok: true; kind: 'video' | 'audio'; format: AvContainer }
  | { ok: false; reason: string };

export const ACCEPTED_UPLOADS_TEXT = 'an image (JPEG, PNG, WebP, GIF, AVIF or HEIC), a video (MP4, MOV or WebM) or audio (MP3, Ogg, M4A, WAV or FLAC)';

/** The bytes `sniff` needs at most. */
export const SNIFF_BYTES = 64;

export const ACCEPTED_FORMATS_TEXT = 'JPEG, PNG, WebP, GIF, AVIF or HEIC';

const HEIF_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'mif1', 'msf1']);
const AUDIO_BRANDS = new Set(['M4A ', 'M4B ']);

function ascii(head: Buffer, start: number, end: number): string {
  return head.subarray(start, end).toString('latin1');
}

/** Whether the start of a file looks like text (SVG, HTML, a script): printable bytes, UTF-8 or a BOM. */
function looksLikeText(head: Buffer): boolean {
  const sample = head.subarray(0, SNIFF_BYTES);
  let printable = 0;
  for (const byte of sample) if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte !== 127)) printable++;
  return printable === sample.length;
}

/** The video or audio container a file starts as (ISO BMFF brands, EBML, Ogg, RIFF WAVE, FLAC, MP3). */
function sniffAv(head: Buffer): { kind: 'video' | 'audio'; format: AvContainer } | undefined {
  if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (HEIF_BRANDS.has(brand)) return undefined;
    if (AUDIO_BRANDS.has(brand)) return { kind: 'audio', format: 'm4a' };
    return { kind: 'video', format: brand === 'qt  ' ? 'mov' : 'mp4' };
  }
  // Old QuickTime files begin with an atom other than ftyp.
  if (head.length >= 8 && ['moov', 'mdat', 'wide', 'free'].includes(ascii(head, 4, 8))) return { kind: 'video', format: 'mov' };
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { kind: 'video', format: 'webm' };
  if (head.length >= 4 && ascii(head, 0, 4) === 'OggS') return { kind: 'audio', format: 'ogg' };
  if (head.length >= 4 && ascii(head, 0, 4) === 'fLaC') return { kind: 'audio', format: 'flac' };
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return { kind: 'audio', format: 'wav' };
  if (head.length >= 3 && ascii(head, 0, 3) === 'ID3') return { kind: 'audio', format: 'mp3' };
  // An MPEG audio frame: 11 sync bits, MPEG version not "reserved", layer III.
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x18) !== 0x08 && (head[1]! & 0x06) === 0x02) return { kind: 'audio', format: 'mp3' };
  return undefined;
}

/** What an attachment upload starts as (an image, a video, audio), or why it is refused. */
export function sniffUpload(head: Buffer): SniffedUpload {
  const image = sniff(head);
  if (image.ok) return { ok: true, kind: 'image', format: image.format };
  const av = sniffAv(head);
  if (av) return { ok: true, ...av };
  if (head.length === 0) return image;
  const what = looksLikeText(head) ? 'This file is text (such as SVG, HTML or a playlist), not an image, video or audio' : 'This file is not an image, video or audio that Pipit accepts';
  return { ok: false, reason: `${what}: upload ${ACCEPTED_UPLOADS_TEXT}.` };
}

/** The image format a file starts as, or why it is refused (pictures only: avatars, headers). */
export function sniff(head: Buffer): Sniffed {
  if (head.length === 0) return { ok: false, reason: 'The file is empty.' };
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { ok: true, format: 'jpeg' };
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { ok: true, format: 'png' };
  if (head.length >= 6 && (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a')) return { ok: true, format: 'gif' };
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { ok: true, format: 'webp' };
  if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(head, 8, 12))) return { ok: true, format: 'heif' };
  const av = sniffAv(head);
  if (av) return { ok: false, reason: `This file is ${av.kind === 'video' ? 'a video' : 'audio'}, not a picture: upload an image (${ACCEPTED_FORMATS_TEXT}).` };
  const what = looksLikeText(head) ? 'This file is text (such as SVG or HTML), not an image' : 'This file is not an image';
  return { ok: false, reason: `${what}: upload a ${ACCEPTED_FORMATS_TEXT} file.` };
}
