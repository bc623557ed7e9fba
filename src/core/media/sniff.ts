// What an upload is, from its first bytes: the cheap check made while the request is still open, so a
// text file named .jpg, an SVG or an HTML page is refused at once with a message, and only a file that
// starts as an image Pipit decodes is kept. It decides nothing more: the probe job then has sharp read
// the whole header (format, dimensions) and is the real judge. A handful of fixed signatures (the
// formats' own magic numbers) is all this needs, which a general detection library would not improve.

export type SniffedFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'heif';

export type Sniffed = { ok: true; format: SniffedFormat } | { ok: false; reason: string };

/** The bytes `sniff` needs at most. */
export const SNIFF_BYTES = 64;

export const ACCEPTED_FORMATS_TEXT = 'JPEG, PNG, WebP, GIF, AVIF or HEIC';

const HEIF_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'mif1', 'msf1']);
const VIDEO_BRANDS = new Set(['isom', 'iso2', 'mp41', 'mp42', 'qt  ', 'M4V ', 'avc1', 'dash', '3gp4', '3gp5']);

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

/** The image format a file starts as, or why it is refused. */
export function sniff(head: Buffer): Sniffed {
  if (head.length === 0) return { ok: false, reason: 'The file is empty.' };
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { ok: true, format: 'jpeg' };
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { ok: true, format: 'png' };
  if (head.length >= 6 && (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a')) return { ok: true, format: 'gif' };
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { ok: true, format: 'webp' };
  if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (HEIF_BRANDS.has(brand)) return { ok: true, format: 'heif' };
    if (VIDEO_BRANDS.has(brand)) return { ok: false, reason: `Videos are not supported yet: upload an image (${ACCEPTED_FORMATS_TEXT}).` };
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { ok: false, reason: `Videos are not supported yet: upload an image (${ACCEPTED_FORMATS_TEXT}).` };
  const what = looksLikeText(head) ? 'This file is text (such as SVG or HTML), not an image' : 'This file is not an image';
  return { ok: false, reason: `${what}: upload a ${ACCEPTED_FORMATS_TEXT} file.` };
}
