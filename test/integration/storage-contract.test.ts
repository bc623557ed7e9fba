import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { StorageUnavailable } from '../../src/core/domain/errors.ts';
import { newMediaPrefix, uploadKey, variantKey } from '../../src/core/media/keys.ts';
import { localDiskStorage } from '../../src/core/storage/local-disk.ts';
import { s3ClientConfig, s3Storage } from '../../src/core/storage/s3.ts';
import { readAll, type MediaStorage } from '../../src/core/storage/storage.ts';
import { startTestS3, type TestS3 } from '../helpers/s3.ts';

// One contract for every MediaStorage, run against each: the local disk and a real S3-compatible server
// (s3rver, in this process). What the pipeline and the cleanup rely on: bytes back as written (buffers
// and streams, small and multipart-sized), a missing key read as undefined and deleted without error,
// an overwrite seen whole or not at all, a failed write leaving nothing, listings of our keys only.

const BASE = 'https://media.example/files';

interface Subject {
  storage: MediaStorage;
  /** Puts an object that is not ours (another application's, in a shared bucket or folder). */
  putForeign(name: string): Promise<void>;
  /**
   * Whether reads racing an overwrite can be checked here. S3 itself replaces an object atomically (its
   * documented guarantee), but s3rver rewrites its file in place, so a read racing it is cut off: there
   * only the overwrite's result is checked.
   */
  racingReads: boolean;
  close(): Promise<void>;
}

async function localSubject(): Promise<Subject> {
  const root = await mkdtemp(join(tmpdir(), 'pipit-storage-'));
  return {
    storage: localDiskStorage(root, BASE),
    putForeign: (name) => writeFile(join(root, name), 'not ours'),
    racingReads: true,
    close: () => rm(root, { recursive: true, force: true }),
  };
}

let s3: TestS3 | undefined;
async function s3Subject(): Promise<Subject> {
  s3 ??= await startTestS3();
  const bucket = `contract-${randomBytes(4).toString('hex')}`;
  await s3.createBucket(bucket);
  const client = new S3Client(s3ClientConfig(s3.settings(bucket)));
  return {
    storage: s3Storage(s3.settings(bucket), BASE),
    putForeign: async (name) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: name, Body: 'not ours' }));
    },
    racingReads: false,
    close: async () => client.destroy(),
  };
}

async function bytesOf(storage: MediaStorage, key: string): Promise<Buffer | undefined> {
  const object = await storage.get(key);
  return object ? readAll(object) : undefined;
}

/** A stream of `data` in 64 KiB chunks that fails with `failure` after `failAfter` bytes, if given. */
function streamOf(data: Buffer, failAfter?: number, failure = new Error('the client hung up')): Readable {
  async function* chunks() {
    for (let offset = 0; offset < data.length; offset += 64 * 1024) {
      if (failAfter !== undefined && offset >= failAfter) throw failure;
      yield data.subarray(offset, offset + 64 * 1024);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

async function keysListed(storage: MediaStorage): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of storage.list()) {
    assert.ok(entry.modifiedAt instanceof Date && !Number.isNaN(entry.modifiedAt.getTime()), `${entry.key} has a modification time`);
    keys.push(entry.key);
  }
  return keys.sort();
}

after(async () => {
  await s3?.close();
});

for (const [name, open] of [
  ['local disk', localSubject],
  ['S3 (s3rver)', s3Subject],
] as const) {
  describe(`media storage contract: ${name}`, () => {
    let subject: Subject;
    let storage: MediaStorage;
    before(async () => {
      subject = await open();
      storage = subject.storage;
    });
    after(async () => {
      await subject?.close();
    });

    it('gives back what was put (a buffer), with the content type of its key and its size', async () => {
      const key = variantKey(newMediaPrefix(), 'original', 'png');
      const data = randomBytes(1000);
      await storage.put(key, data, 'image/png');
      const object = await storage.get(key);
      assert.ok(object);
      assert.equal(object.size, data.length);
      assert.equal(object.contentType, 'image/png');
      assert.deepEqual(await readAll(object), data);
    });

    it('stores a stream of unknown length, small or larger than one part (multipart on S3)', async () => {
      for (const size of [0, 100_000, 6 * 1024 * 1024 + 123]) {
        const key = uploadKey(newMediaPrefix());
        const data = randomBytes(size);
        await storage.put(key, streamOf(data), 'application/octet-stream');
        const object = await storage.get(key);
        assert.ok(object, `${size} bytes stored`);
        assert.equal(object.size, size);
        assert.equal(object.contentType, 'application/octet-stream');
        assert.deepEqual(await readAll(object), data);
      }
    });

    it('reads one byte range when asked (a browser seeking in a video), sized from the whole object', async () => {
      const key = variantKey(newMediaPrefix(), 'original', 'mp4');
      const data = randomBytes(5000);
      await storage.put(key, data, 'video/mp4');
      const sizes: number[] = [];
      const part = await storage.get(key, { range: (size) => (sizes.push(size), { start: 100, end: 1099 }) });
      assert.ok(part);
      assert.deepEqual(sizes, [5000], 'the range is chosen knowing the whole size');
      assert.deepEqual(part.range, { start: 100, end: 1099 });
      assert.equal(part.size, 5000);
      assert.deepEqual(await readAll(part), data.subarray(100, 1100));
      const whole = await storage.get(key, { range: () => undefined });
      assert.ok(whole);
      assert.equal(whole.range, undefined);
      assert.deepEqual(await readAll(whole), data);
      assert.equal(await storage.get(variantKey(newMediaPrefix(), 'original', 'mp4'), { range: () => ({ start: 0, end: 1 }) }), undefined);
    });

    it('reads a missing key as undefined and deletes it without error', async () => {
      const key = variantKey(newMediaPrefix(), 'small', 'webp');
      assert.equal(await storage.get(key), undefined);
      await storage.delete(key);
      await storage.delete(key);
    });

    it('deletes: the object is gone, and deleting again is fine', async () => {
      const key = variantKey(newMediaPrefix(), 'small', 'jpeg');
      await storage.put(key, Buffer.from('x'), 'image/jpeg');
      await storage.delete(key);
      assert.equal(await storage.get(key), undefined);
      await storage.delete(key);
    });

    it('replaces an object whole: readers during an overwrite see the old bytes or the new, never a mix', async () => {
      const key = variantKey(newMediaPrefix(), 'original', 'jpeg');
      const first = randomBytes(2 * 1024 * 1024);
      const second = randomBytes(2 * 1024 * 1024 + 7);
      await storage.put(key, first, 'image/jpeg');
      const overwrite = storage.put(key, streamOf(second), 'image/jpeg');
      const reads = subject.racingReads ? await Promise.all(Array.from({ length: 6 }, () => bytesOf(storage, key))) : [];
      await overwrite;
      for (const read of reads) assert.ok(read && (read.equals(first) || read.equals(second)), 'a read saw one whole version');
      assert.deepEqual(await bytesOf(storage, key), second);
    });

    it('a write whose source fails fails with that error and leaves nothing (small, and past one part)', async () => {
      for (const [size, failAfter] of [
        [300_000, 128 * 1024],
        [7 * 1024 * 1024, 6 * 1024 * 1024],
      ] as const) {
        const key = uploadKey(newMediaPrefix());
        const failure = new Error(`source failed after ${failAfter}`);
        await assert.rejects(storage.put(key, streamOf(randomBytes(size), failAfter, failure), 'application/octet-stream'), (error) => error === failure);
        assert.equal(await storage.get(key), undefined);
        assert.ok(!(await keysListed(storage)).includes(key), 'nothing listed under the key');
      }
    });

    it('refuses keys that are not of our shapes', async () => {
      for (const key of ['../escape.jpg', 'incoming/../../x', 'notes.txt', '']) {
        await assert.rejects(storage.put(key, Buffer.from('x'), 'image/jpeg'), /not a media storage key/);
        await assert.rejects(storage.get(key), /not a media storage key/);
      }
    });

    it('lists every key of ours with its time, and nothing else kept beside them; leftovers removal keeps them', async () => {
      const before = await keysListed(storage);
      const prefix = newMediaPrefix();
      const ours = [uploadKey(prefix), variantKey(prefix, 'original', 'jpeg'), variantKey(prefix, 'small', 'webp'), `profile/${newMediaPrefix()}/avatar.webp`];
      for (const key of ours) await storage.put(key, Buffer.from(key), 'image/jpeg');
      await subject.putForeign('someone-elses-notes.txt');
      const listed = await keysListed(storage);
      assert.deepEqual(listed, [...before, ...ours].sort());
      assert.equal(typeof (await storage.removeLeftovers(new Date())), 'number');
      for (const key of ours) assert.deepEqual(await bytesOf(storage, key), Buffer.from(key));
    });

    it('says where a browser fetches a key', () => {
      const key = variantKey('0123456789abcdef0123456789abcdef', 'small', 'webp');
      assert.equal(storage.url(key), `${BASE}/${key}`);
    });
  });
}

describe('S3 storage while the store is unreachable', () => {
  let storage: MediaStorage;
  let bucket: string;
  before(async () => {
    s3 ??= await startTestS3();
    bucket = `outage-${randomBytes(4).toString('hex')}`;
    await s3.createBucket(bucket);
    storage = s3Storage(s3.settings(bucket), BASE);
  });

  it('every operation fails with StorageUnavailable (saying what failed), and works again once it is back', async () => {
    const kept = variantKey(newMediaPrefix(), 'original', 'png');
    await storage.put(kept, Buffer.from('kept'), 'image/png');
    await s3!.cut();
    try {
      const key = variantKey(newMediaPrefix(), 'original', 'png');
      const unavailable = (error: unknown) => error instanceof StorageUnavailable && /S3 \w+ failed/.test(error.message);
      await assert.rejects(storage.put(key, Buffer.from('x'), 'image/png'), unavailable);
      await assert.rejects(storage.put(uploadKey(newMediaPrefix()), streamOf(randomBytes(1000)), 'application/octet-stream'), unavailable);
      await assert.rejects(storage.get(kept), unavailable);
      await assert.rejects(storage.delete(kept), unavailable);
      await assert.rejects(keysListed(storage), unavailable);
    } finally {
      await s3!.restore();
    }
    assert.deepEqual(await bytesOf(storage, kept), Buffer.from('kept'));
  });

  it('a bucket that does not exist is the store failing (StorageUnavailable), not a missing file', async () => {
    const missing = s3Storage(s3!.settings(`no-such-bucket-${randomBytes(4).toString('hex')}`), BASE);
    await assert.rejects(missing.get(variantKey(newMediaPrefix(), 'small', 'png')), StorageUnavailable);
    await assert.rejects(missing.put(variantKey(newMediaPrefix(), 'small', 'png'), Buffer.from('x'), 'image/png'), StorageUnavailable);
  });
});
