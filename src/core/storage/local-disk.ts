import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentTypeOfKey, isStorageKey } from '../media/keys.ts';
import type { MediaStorage, StoredObject } from './storage.ts';

// Media on the local disk under DATA_DIR/media: one file per key. A write goes to a temporary file beside
// its target and is renamed over it, so a reader (or a crash) never meets half a file, and a repeated
// task simply replaces what an earlier attempt wrote. The content type is the key's extension: keys are
// ours, so the extension is the truth, and nothing else needs storing beside the bytes.

/** Local-disk storage rooted at `root`; `publicBase` is where Pipit serves it (`…/media`). */
export function localDiskStorage(root: string, publicBase: string): MediaStorage {
  const base = resolve(root);
  const pathOf = (key: string): string => {
    // Keys are generated, but a bug must not become a path traversal: only our shapes reach the disk.
    if (!isStorageKey(key)) throw new Error(`not a media storage key: ${JSON.stringify(key)}`);
    const path = resolve(base, key);
    if (!path.startsWith(base + sep)) throw new Error('media key outside the storage root');
    return path;
  };
  return {
    async put(key, data, _contentType) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = join(dirname(path), `.tmp-${randomBytes(8).toString('hex')}`);
      try {
        await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, createWriteStream(temporary, { flags: 'wx', mode: 0o640 }));
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(key): Promise<StoredObject | undefined> {
      const path = pathOf(key);
      let size: number;
      try {
        const s = await stat(path);
        if (!s.isFile()) return undefined;
        size = s.size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return { body: createReadStream(path), size, contentType: contentTypeOfKey(key) };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    url(key) {
      return `${publicBase}/${key}`;
    },
  };
}
