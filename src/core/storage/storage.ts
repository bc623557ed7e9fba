import type { Readable } from 'node:stream';

// Where media bytes live, behind one small interface, so the local disk (default) and an S3-compatible
// store (a later slice) are interchangeable and any process on any machine reads what another wrote.
// Keys are made by the core (media/keys.ts), never taken from a request.

/** A stored object as a listing names it. */
export interface StoredEntry {
  key: string;
  /** When it was last written. */
  modifiedAt: Date;
}

/** A stored object as it is read back. */
export interface StoredObject {
  body: Readable;
  /** The whole object's size in bytes. */
  size: number;
  contentType: string;
  /** When a range was asked for and the store honoured it: the bytes `body` holds (inclusive). */
  range?: ByteRange;
}

/** Bytes `start` to `end`, inclusive, as HTTP ranges count them. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface MediaStorage {
  /** Stores `data` under `key`, replacing what was there; readers see the old object or the new, never half. */
  put(key: string, data: Buffer | Readable, contentType: string): Promise<void>;
  /**
   * The object, or undefined when there is none. With `range` (a browser seeking in a video), a store
   * that can returns those bytes alone and says so in `range`; one that cannot returns the whole object.
   */
  get(key: string, options?: { range?: (size: number) => ByteRange | undefined }): Promise<StoredObject | undefined>;
  /** Removes the object; removing a missing one is not an error (a repeated task may do it twice). */
  delete(key: string): Promise<void>;
  /** Every stored object (keys of ours only), in no particular order; the storage sweep's input. */
  list(): AsyncIterable<StoredEntry>;
  /** Removes what interrupted writes left (partial files, empty folders) last touched before `before`; how many. */
  removeLeftovers(before: Date): Promise<number>;
  /** Where a browser fetches the object. */
  url(key: string): string;
}

/** Reads a stored object whole (the pipeline's inputs are bounded by the upload limit). */
export async function readAll(object: StoredObject): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
