// The types of file an upload may be, as the instance document tells clients
// (`configuration.media_attachments.supported_mime_types`): what sniff.ts and image.ts accept today.
export const MEDIA_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;

/** HEIC/HEIF photos, accepted for attachments where heif-convert is installed (converted to JPEG). */
export const HEIC_MIME_TYPES = ['image/heic', 'image/heif'] as const;

/** The types an attachment may be on this server: HEIC only with its converter (MEDIA_HEIF_CONVERT). */
export function attachmentMimeTypes(heicAccepted: boolean): string[] {
  return heicAccepted ? [...MEDIA_MIME_TYPES, ...HEIC_MIME_TYPES] : [...MEDIA_MIME_TYPES];
}
