import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Settings } from '../config.ts';
import { DomainError, StorageUnavailable } from '../domain/errors.ts';
import { contentTypeOfKey, isServedKey, isStorageKey } from '../media/keys.ts';
import type { MediaStorage, StoredEntry, StoredObject } from './storage.ts';

// Media in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Backblaze B2, Garage, …) through the
// AWS SDK v3. An S3 write is atomic (an object appears whole when its PUT or multipart upload completes,
// and replaces the old one whole), so a reader never meets half a file, as on the local disk.
//
// Every failure of the store itself (unreachable, refusing our credentials, a missing bucket, a 5xx)
// becomes StorageUnavailable: a request answers 503 and a pipeline job is retried. The errors of the bytes
// being stored (an upload past the size limit, a client that hung up) pass through as they are.

/** Each part of a streamed upload is held in memory until sent: the smallest part S3 accepts. */
const PART_SIZE = 5 * 1024 * 1024;
/** Parts of one upload in flight at once (memory per upload: PART_SIZE × this). */
const PARTS_IN_FLIGHT = 2;

/**
 * The headers stored with an object, which the store sends when it serves the file itself
 * (MEDIA_PUBLIC_URL): its true type and, for what browsers are sent, the year-long cache a key allows.
 * (nosniff and the CSP are not object metadata: the CDN or bucket adds them; see the README.)
 */
function objectHeaders(key: string) {
  return { ContentType: contentTypeOfKey(key), ...(isServedKey(key) ? { CacheControl: 'public, max-age=31536000, immutable' } : {}) };
}

/** The SDK's settings for an S3-compatible store (exported for the tests, which make a client of their own). */
export function s3ClientConfig(settings: S3Settings): S3ClientConfig {
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials ? { credentials: { ...settings.credentials } } : {}),
    // SDK versions since early 2025 add CRC checksums to every upload and check them on every download
    // by default; MinIO before 2025, R2, B2, Wasabi and others refuse or garble such requests. Only what
    // the S3 API requires, as before.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A store that does not answer must not hold a request or a job forever: a refused or silent
    // connection fails in seconds (and is retried by the SDK, then by the queue).
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    maxAttempts: 3,
  };
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** The store's failure as the domain error it means (our own errors pass through). */
function unavailable(error: unknown, doing: string): Error {
  if (error instanceof DomainError) return error;
  const name = (error as Error)?.name ?? 'Error';
  const status = httpStatus(error);
  return new StorageUnavailable(`S3 ${doing} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function isMissingKey(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === 'NoSuchKey' || (httpStatus(error) === 404 && name !== 'NoSuchBucket');
}

/** Storage in `settings.bucket`; `publicBase` is where browsers fetch its objects (config.mediaBaseUrl). */
export function s3Storage(settings: S3Settings, publicBase: string): MediaStorage {
  const client = new S3Client(s3ClientConfig(settings));
  const Bucket = settings.bucket;
  const checkKey = (key: string) => {
    // Keys are generated; refusing any other shape keeps a bug from reaching (or overwriting) what is not ours.
    if (!isStorageKey(key)) throw new Error(`not a media storage key: ${JSON.stringify(key)}`);
  };
  return {
    // The content type stored is the key's (as on the local disk): the extension is ours, so it is the truth.
    async put(key, data, _contentType) {
      checkKey(key);
      if (Buffer.isBuffer(data)) {
        try {
          await client.send(new PutObjectCommand({ Bucket, Key: key, Body: data, ContentLength: data.length, ...objectHeaders(key) }));
        } catch (error) {
          throw unavailable(error, 'PutObject');
        }
        return;
      }
      // A stream of unknown length (an upload as it arrives): S3 wants each PUT's length up front, so it
      // goes in parts (one plain PUT when it all fits in the first). A failed upload aborts its parts.
      let sourceError: unknown;
      data.once('error', (error) => (sourceError ??= error));
      try {
        await new Upload({
          client,
          params: { Bucket, Key: key, Body: data, ...objectHeaders(key) },
          partSize: PART_SIZE,
          queueSize: PARTS_IN_FLIGHT,
        }).done();
      } catch (error) {
        // The bytes' own failure (too large, not an image, the client hung up) is the answer, even when
        // aborting the parts failed after it.
        if (sourceError !== undefined) throw sourceError;
        throw unavailable(error, 'upload');
      }
    },
    async get(key, options = {}): Promise<StoredObject | undefined> {
      checkKey(key);
      try {
        if (options.range) {
          // A range is asked for by the file's size, which only the store knows: one HEAD first (ranges
          // are a browser seeking in a video, rare beside whole reads).
          const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
          const size = head.ContentLength ?? 0;
          const range = options.range(size);
          if (range) {
            const object = await client.send(new GetObjectCommand({ Bucket, Key: key, Range: `bytes=${range.start}-${range.end}` }));
            return { body: object.Body as Readable, size, contentType: contentTypeOfKey(key), range };
          }
        }
        const object = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return { body: object.Body as Readable, size: object.ContentLength ?? 0, contentType: contentTypeOfKey(key) };
      } catch (error) {
        if (isMissingKey(error)) return undefined;
        throw unavailable(error, 'GetObject');
      }
    },
    async delete(key) {
      checkKey(key);
      try {
        // S3 answers 204 for a key that is not there: removing twice is fine.
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        if (isMissingKey(error)) return;
        throw unavailable(error, 'DeleteObject');
      }
    },
    async *list(): AsyncIterable<StoredEntry> {
      try {
        for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket })) {
          for (const object of page.Contents ?? []) {
            // A bucket shared with other things: only our keys are ours to sweep.
            if (object.Key && object.LastModified && isStorageKey(object.Key)) yield { key: object.Key, modifiedAt: object.LastModified };
          }
        }
      } catch (error) {
        throw unavailable(error, 'ListObjectsV2');
      }
    },
    async removeLeftovers(before) {
      // Writes are atomic, so no partial object exists. What a crash mid-upload can leave is an
      // unfinished multipart upload (invisible, but billed): abort ours that started before `before`.
      // Stores without ListMultipartUploads answer NotImplemented; there a lifecycle rule does it (README).
      let removed = 0;
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      try {
        for (;;) {
          const page = await client.send(new ListMultipartUploadsCommand({ Bucket, KeyMarker, UploadIdMarker }));
          for (const upload of page.Uploads ?? []) {
            if (!upload.Key || !upload.UploadId || !isStorageKey(upload.Key) || !upload.Initiated || upload.Initiated >= before) continue;
            await client.send(new AbortMultipartUploadCommand({ Bucket, Key: upload.Key, UploadId: upload.UploadId }));
            removed++;
          }
          if (!page.IsTruncated) return removed;
          KeyMarker = page.NextKeyMarker;
          UploadIdMarker = page.NextUploadIdMarker;
        }
      } catch (error) {
        if ((error as Error)?.name === 'NotImplemented' || httpStatus(error) === 501) return removed;
        throw unavailable(error, 'ListMultipartUploads');
      }
    },
    url(key) {
      return `${publicBase}/${key}`;
    },
  };
}
