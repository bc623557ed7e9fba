// The types of file an upload may be, as the instance document tells clients
// (`configuration.media_attachments.supported_mime_types`) and the compose form's file inputs accept:
// what sniff.ts, image.ts and av-probe.ts accept. Pictures alone for avatars and headers.
export const MEDIA_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;

/** Videos and audio, accepted where ffmpeg is installed (av-probe.ts). */
export const AV_MIME_TYPES = [
  'video/mp4',
  'video/quicktime',
  'video/webm',
  'audio/mpeg',
  'audio/mp3',
  'audio/ogg',
  'audio/opus',
  'audio/mp4',
  'audio/x-m4a',
  'audio/aac',
  'audio/wav',
  'audio/wave',
  'audio/x-wav',
  'audio/flac',
  'audio/x-flac',
] as const;

/** HEIC/HEIF photos, accepted for attachments where heif-convert is installed (converted to JPEG). */
export const HEIC_MIME_TYPES = ['image/heic', 'image/heif'] as const;

/** The types an attachment may be on this server: HEIC only with its converter, video and audio only with ffmpeg. */
export function attachmentMimeTypes(accepts: { heic: boolean; video: boolean }): string[] {
  return [...MEDIA_MIME_TYPES, ...(accepts.heic ? HEIC_MIME_TYPES : []), ...(accepts.video ? AV_MIME_TYPES : [])];
}
