import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentTypeOfKey, isStorageKey } from '../media/keys.ts';
import type { MediaStorage, StoredEntry, StoredObject } from './storage.ts';

// Media on the local disk under DATA_DIR/media: one file per key. A write goes to a temporary file beside
// its target and is renamed over it, so a reader (or a crash) never meets half a file, and a repeated
// task simply replaces what an earlier attempt wrote. The content type is the key's extension: keys are
// ours, so the extension is the truth, and nothing else needs storing beside the bytes.

const TEMPORARY_PREFIX = '.tmp-';

function missingAsEmpty(error: unknown): never[] {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
  throw error;
}

/** Every file under `root` (absolute paths); none when it does not exist yet. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(missingAsEmpty);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** A path's key: relative to the root, with forward slashes. */
function relativeKey(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** When the file or folder was last written; undefined when it went meanwhile. */
async function modifiedTime(path: string): Promise<Date | undefined> {
  try {
    return (await stat(path)).mtime;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

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
      const temporary = join(dirname(path), `${TEMPORARY_PREFIX}${randomBytes(8).toString('hex')}`);
      try {
        await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, createWriteStream(temporary, { flags: 'wx', mode: 0o640 }));
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(key, options = {}): Promise<StoredObject | undefined> {
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
      const range = options.range?.(size);
      if (range) return { body: createReadStream(path, { start: range.start, end: range.end }), size, contentType: contentTypeOfKey(key), range };
      return { body: createReadStream(path), size, contentType: contentTypeOfKey(key) };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async *list(): AsyncIterable<StoredEntry> {
      for (const path of await filesUnder(base)) {
        const key = relativeKey(base, path);
        if (!isStorageKey(key)) continue;
        const modifiedAt = await modifiedTime(path);
        if (modifiedAt) yield { key, modifiedAt };
      }
    },
    async removeLeftovers(before) {
      let removed = 0;
      // Temporary files of writes a crash interrupted (a live write's file is younger than `before`).
      for (const path of await filesUnder(base)) {
        if (!basename(path).startsWith(TEMPORARY_PREFIX)) continue;
        const modifiedAt = await modifiedTime(path);
        if (modifiedAt && modifiedAt < before) {
          await rm(path, { force: true });
          removed++;
        }
      }
      // Folders of attachments whose files are gone; rmdir refuses a folder that is not empty, so a
      // folder a write has just filled again stays.
      for (const dir of (await readdir(base, { withFileTypes: true }).catch(missingAsEmpty)).filter((e) => e.isDirectory())) {
        const path = join(base, dir.name);
        const modifiedAt = await modifiedTime(path);
        if (!modifiedAt || modifiedAt >= before || dir.name === 'incoming') continue;
        try {
          await rmdir(path);
          removed++;
        } catch (error) {
          if (!['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
        }
      }
      return removed;
    },
    url(key) {
      return `${publicBase}/${key}`;
    },
  };
}
