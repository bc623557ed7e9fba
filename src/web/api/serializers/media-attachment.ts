import { mediaUrl, type MediaAttachment, type MediaOriginalMetaView, type MediaVariantMetaView, type SiteUrls } from '../../../core/index.ts';
import { int, nul, obj, orNull, str } from './schema.ts';

// Mastodon's MediaAttachment (mastodon-api.md §3). `type` is `image`, `gifv`, `video` or `audio`; a
// video's or audio file's type is known from its first bytes, so it shows while it is processed. `url` and `preview_url` stay null until the pipeline
// has written the files (masto.js polls GET /api/v1/media/:id until `url` is set); `meta` then carries
// `original` and `small` with their sizes for the clients' layout, and `focus` always. Pipit has no
// remote media, so the remote URLs are null, and `text_url` (Mastodon's retired short link) too. Every
// key is always there (strict clients); `original` and `small` are null until processed.

export interface MastodonMediaAttachment {
  id: string;
  type: string;
  url: string | null;
  preview_url: string | null;
  remote_url: null;
  preview_remote_url: null;
  text_url: null;
  meta: { original: MediaOriginalMetaView | null; small: MediaVariantMetaView | null; focus: { x: number; y: number } };
  description: string | null;
  blurhash: string | null;
}

/** An attachment as the API shows it; its files at `site.mediaBaseUrl` (Pipit's /media, or MEDIA_PUBLIC_URL). */
export function toMastodonMediaAttachment(media: MediaAttachment, site: SiteUrls): MastodonMediaAttachment {
  const ready = media.state === 'ready';
  return {
    id: media.id,
    type: media.type,
    url: ready && media.originalKey ? mediaUrl(site, media.originalKey) : null,
    // A video's poster may exist before its transcode is done: shown as soon as it does (Mastodon names
    // the preview at once; a URL that answers 404 would be worse than null). Audio has none.
    preview_url: media.state !== 'failed' && media.smallKey ? mediaUrl(site, media.smallKey) : null,
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta: {
      original: ready && media.meta.original ? originalMeta(media.meta.original) : null,
      small: ready && media.meta.small ? variantMeta(media.meta.small) : null,
      focus: { x: media.focus.x, y: media.focus.y },
    },
    description: media.description === '' ? null : media.description,
    blurhash: media.state !== 'failed' ? media.blurhash : null,
  };
}

// The stored facts come back from jsonb with their keys in its order (shortest first), not the
// entity's: each is rebuilt key by key, in the order of the schema below, so that the entity is exactly
// what the schema writes (the lists of statuses are written by JSON.stringify: plain-json.ts).

/** A served variant's facts (`small`, a picture's `original`). */
function variantMeta(meta: MediaVariantMetaView): MediaVariantMetaView {
  return { width: meta.width, height: meta.height, size: meta.size, aspect: meta.aspect };
}

/** An original's facts, in the shape of its kind (av-pipeline.ts writes a video's or audio file's whole). */
function originalMeta(meta: MediaOriginalMetaView): MediaOriginalMetaView {
  if (meta.frame_rate !== undefined) {
    return { width: meta.width, height: meta.height, size: meta.size, aspect: meta.aspect, frame_rate: meta.frame_rate, duration: meta.duration, bitrate: meta.bitrate };
  }
  if (meta.width === undefined) return { duration: meta.duration, bitrate: meta.bitrate };
  return variantMeta(meta as MediaVariantMetaView);
}

const variantSchema = obj({ width: int, height: int, size: str, aspect: { type: 'number' } });
// A video's (and gifv's) original adds its frame rate, duration and bitrate; an audio file's has those
// two alone, as Mastodon's. Each shape is strict (every key present), the pipeline writes them whole.
const videoOriginalSchema = obj({ width: int, height: int, size: str, aspect: { type: 'number' }, frame_rate: str, duration: { type: 'number' }, bitrate: int });
const audioOriginalSchema = obj({ duration: { type: 'number' }, bitrate: int });

export const mediaAttachmentSchema = obj({
  id: str,
  type: str,
  url: orNull(str),
  preview_url: orNull(str),
  remote_url: nul,
  preview_remote_url: nul,
  text_url: nul,
  // `original` and `small` are null until processed; `focus` always.
  meta: obj({ original: { anyOf: [videoOriginalSchema, audioOriginalSchema, variantSchema, nul] }, small: { anyOf: [variantSchema, nul] }, focus: obj({ x: { type: 'number' }, y: { type: 'number' } }) }),
  description: orNull(str),
  blurhash: orNull(str),
});
