import { randomBytes } from 'node:crypto';

// Storage keys: made here from random bytes and fixed names, never from anything a user sent (a file
// name, a declared type). An upload waits under `incoming/…` and is never served (it still carries its
// metadata, GPS included); the pipeline writes what is served under `<prefix>/original.<ext>` and
// `<prefix>/small.<ext>`, with a prefix that cannot be guessed from the attachment's id.

export const OUTPUT_EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' } as const;
export type OutputFormat = keyof typeof OUTPUT_EXTENSIONS;
/** What a video or gifv (H.264 MP4) and an audio file (MP3) are served as (av-render.ts). */
export type AvOutputFormat = 'mp4' | 'mp3';

const CONTENT_TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', mp3: 'audio/mpeg' };

const PREFIX = '[0-9a-f]{32}';
const SERVED = new RegExp(`^${PREFIX}/(original|small)\\.(jpg|png|webp|gif|mp4|mp3)$`);
/** An account's pictures (profile-images.ts): always WebP, under a prefix of their own per upload. */
const PROFILE = new RegExp(`^profile/${PREFIX}/(avatar|avatar-small|header)\\.webp$`);
const UPLOAD = new RegExp(`^incoming/${PREFIX}$`);

/** A fresh, unguessable prefix for one attachment's files. */
export function newMediaPrefix(): string {
  return randomBytes(16).toString('hex');
}

/** Where an upload waits for the pipeline. */
export function uploadKey(prefix: string): string {
  return `incoming/${prefix}`;
}

/** Where a variant the pipeline made is stored (a repeated task writes the same key). */
export function variantKey(prefix: string, variant: 'original' | 'small', format: OutputFormat | AvOutputFormat): string {
  return `${prefix}/${variant}.${format === 'mp4' || format === 'mp3' ? format : OUTPUT_EXTENSIONS[format]}`;
}

/** The prefix an upload key was made with. */
export function prefixOfUploadKey(key: string): string {
  return key.slice('incoming/'.length);
}

/** A key the pipeline made for browsers (the only ones `GET /media/…` serves). */
export function isServedKey(key: string): boolean {
  return SERVED.test(key) || PROFILE.test(key);
}

/** Any key of ours (served or waiting upload); storage refuses others. */
export function isStorageKey(key: string): boolean {
  return SERVED.test(key) || PROFILE.test(key) || UPLOAD.test(key);
}

/** The content type of a key's bytes (the extension is ours, so it is the truth). */
export function contentTypeOfKey(key: string): string {
  const extension = /\.([a-z0-9]+)$/.exec(key)?.[1];
  return (extension && CONTENT_TYPES[extension]) || 'application/octet-stream';
}

export type ProfileImageVariant = 'avatar' | 'avatar-small' | 'header';

/** Where one of an account's pictures is stored: a fresh prefix per upload, so a new picture never overwrites the old one's URL (served immutable). */
export function profileImageKey(prefix: string, variant: ProfileImageVariant): string {
  return `profile/${prefix}/${variant}.webp`;
}
