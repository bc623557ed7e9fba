import { join } from 'node:path';
import type { Config } from '../config.ts';
import { localDiskStorage } from './local-disk.ts';
import type { MediaStorage } from './storage.ts';

/**
 * The one place the media storage is chosen (MEDIA_STORAGE): files under DATA_DIR/media, or an
 * S3-compatible bucket. Either way browsers fetch them at `config.mediaBaseUrl` (Pipit's /media, or
 * MEDIA_PUBLIC_URL). The S3 module (and the AWS SDK under it, ~30 MB resident) is loaded only when chosen.
 */
export async function mediaStorage(config: Config): Promise<MediaStorage> {
  if (config.mediaStorage === 's3' && config.s3) {
    const { s3Storage } = await import('./s3.ts');
    return s3Storage(config.s3, config.mediaBaseUrl);
  }
  return localDiskStorage(join(config.dataDir, 'media'), config.mediaBaseUrl);
}
