// The types of file an upload may be, as the instance document tells clients
// (`configuration.media_attachments.supported_mime_types`): what sniff.ts and image.ts accept today.
export const MEDIA_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;
