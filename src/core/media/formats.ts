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
