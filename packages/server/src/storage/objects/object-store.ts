// Where large blobs live — session recordings and transcripts, the full stdout/stderr of Run
// Command steps — addressed as an S3 bucket and key. Objects are written in parts by offset
// (a recording grows while its session runs; command output arrives in chunks, in any order)
// and completed once every byte is there; every write is durable when its promise settles.
// Two drivers: a directory tree (the default) and any S3-compatible endpoint
// (docs/decisions/0013-s3-object-store.md). What both need beyond I/O lives here, once.

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface ObjectPart {
  readonly offset: number;
  readonly size: number;
}

export interface ObjectStore {
  /** Stores bytes at `offset` of the object being assembled at bucket/key (replaces a part there). */
  putPart(bucket: string, key: string, offset: number, data: Uint8Array): Promise<void>;
  /** The parts stored so far, by offset. */
  listParts(bucket: string, key: string): Promise<readonly ObjectPart[]>;
  /** The bytes of the part stored at `offset`, or undefined when there is none. */
  getPart(bucket: string, key: string, offset: number): Promise<Uint8Array | undefined>;
  /**
   * Makes the object from the first `length` bytes of the parts (which must cover them) followed
   * by `trailer`, and drops the parts. Resolves with the SHA-256 (hex) of those `length` bytes.
   */
  completeParts(bucket: string, key: string, length: number, trailer: Uint8Array): Promise<string>;
  /** Stores a whole object (replacing one there). */
  put(bucket: string, key: string, data: Uint8Array): Promise<void>;
  /** Size of the object, or undefined when there is none. */
  head(bucket: string, key: string): Promise<{ readonly size: number } | undefined>;
  /** The object's bytes, or undefined when there is none. */
  get(bucket: string, key: string): Promise<Readable | undefined>;
  /** Up to `length` bytes from `offset`; empty past the end; undefined when there is no object. */
  getRange(
    bucket: string,
    key: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array | undefined>;
  /** Removes the object and any parts of it; no error when they are already gone. */
  delete(bucket: string, key: string): Promise<void>;
  /** Where it is, for people (`/var/lib/openssm/objects/b/k`, `s3://b/k`); never a secret. */
  describe(bucket: string, key: string): string;
}

/** S3's bucket naming rules (3–63 of a-z, 0-9, '.', '-'; starting and ending alphanumeric). */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * A key every driver can store: '/'-separated segments, none empty, '.' or '..', no control
 * characters or backslashes, at most 1024 bytes.
 */
export function isSafeObjectKey(key: string): boolean {
  if (key === '' || Buffer.byteLength(key) > 1024) return false;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f\\]/.test(key)) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Throws (a bug, not input: callers validate names from requests) unless bucket/key are usable. */
export function assertObjectLocation(bucket: string, key: string): void {
  if (!BUCKET_NAME_PATTERN.test(bucket)) throw new Error(`unusable bucket name ${bucket}`);
  if (!isSafeObjectKey(key)) throw new Error('unusable object key');
}

/** How many bytes from offset 0 the parts cover without a gap. */
export function contiguousLength(parts: readonly ObjectPart[]): number {
  let position = 0;
  for (const part of parts) {
    if (part.offset > position) break;
    position = Math.max(position, part.offset + part.size);
  }
  return position;
}

/**
 * Parts fetched ahead of the one being written: a recording is a part a second, so joining or
 * reading one means many small GETs, and their round trips overlap. Bounded in count and bytes.
 */
const READ_AHEAD_PARTS = 8;
const READ_AHEAD_BYTES = 16 * 1024 * 1024;

interface PartSlice {
  readonly offset: number;
  readonly size: number;
  /** The bytes of the part that are used: [from, to). */
  readonly from: number;
  readonly to: number;
}

/** Which bytes of which parts make [start, end), in order; stops at a gap. */
function planSlices(parts: readonly ObjectPart[], start: number, end: number): PartSlice[] {
  const slices: PartSlice[] = [];
  let position = start;
  for (const part of parts) {
    if (position >= end) break;
    if (part.offset + part.size <= position) continue; // wholly before (a resend with more won)
    if (part.offset > position) break;
    const to = Math.min(part.size, end - part.offset);
    slices.push({ offset: part.offset, size: part.size, from: position - part.offset, to });
    position = part.offset + to;
  }
  return slices;
}

/**
 * Hands the planned bytes to `visit` in order, fetching ahead. False when a part is gone or
 * shorter than listed (completed or deleted meanwhile): what was visited is still in order.
 */
async function visitSlices(
  store: Pick<ObjectStore, 'getPart'>,
  bucket: string,
  key: string,
  slices: readonly PartSlice[],
  visit: (bytes: Uint8Array) => Promise<void> | void,
): Promise<boolean> {
  const ahead: Promise<Uint8Array | undefined>[] = [];
  let next = 0;
  let aheadBytes = 0;
  for (const slice of slices) {
    while (
      next < slices.length &&
      ahead.length < READ_AHEAD_PARTS &&
      (ahead.length === 0 || aheadBytes + slices[next]!.size <= READ_AHEAD_BYTES)
    ) {
      const fetching = store.getPart(bucket, key, slices[next]!.offset);
      fetching.catch(() => undefined); // awaited in turn below; not an unhandled rejection
      ahead.push(fetching);
      aheadBytes += slices[next]!.size;
      next += 1;
    }
    const bytes = await ahead.shift()!;
    aheadBytes -= slice.size;
    if (bytes === undefined || bytes.length < slice.to) return false;
    await visit(bytes.subarray(slice.from, slice.to));
  }
  return true;
}

/**
 * Hands the first `length` bytes of the parts to `write`, in order (memory stays a bounded
 * read-ahead, whatever the object's size); overlapping parts (a resend with more bytes) count
 * once. Resolves with their SHA-256 (hex); throws when the parts leave a gap.
 */
export async function assembleParts(
  store: Pick<ObjectStore, 'listParts' | 'getPart'>,
  bucket: string,
  key: string,
  length: number,
  write: (bytes: Uint8Array) => Promise<void>,
): Promise<string> {
  const slices = planSlices(await store.listParts(bucket, key), 0, length);
  const covered = slices.reduce((sum, slice) => sum + slice.to - slice.from, 0);
  if (covered < length) {
    throw new Error(
      `parts of ${bucket}/${key} cover ${String(covered)} of ${String(length)} bytes`,
    );
  }
  const hash = createHash('sha256');
  const whole = await visitSlices(store, bucket, key, slices, async (bytes) => {
    hash.update(bytes);
    await write(bytes);
  });
  if (!whole) throw new Error(`parts of ${bucket}/${key} changed while being joined`);
  return hash.digest('hex');
}

/**
 * Up to `length` bytes from `offset` of an object, or of its parts while it is being written
 * (a live session's recording, or one a crash left uncompleted); undefined when neither exists.
 */
export async function readObjectOrParts(
  store: ObjectStore,
  bucket: string,
  key: string,
  offset: number,
  length: number,
): Promise<{ readonly bytes: Uint8Array; readonly totalBytes: number } | undefined> {
  const object = await store.head(bucket, key);
  if (object !== undefined) {
    const bytes = await store.getRange(bucket, key, offset, length);
    return { bytes: bytes ?? new Uint8Array(), totalBytes: object.size };
  }
  const parts = await store.listParts(bucket, key);
  if (parts.length === 0) return undefined;
  const totalBytes = contiguousLength(parts);
  const pieces: Uint8Array[] = [];
  // Parts completed meanwhile end the piece early; the reader asks again from where it stops.
  await visitSlices(
    store,
    bucket,
    key,
    planSlices(parts, offset, Math.min(totalBytes, offset + length)),
    (bytes) => {
      pieces.push(bytes);
    },
  );
  return { bytes: Buffer.concat(pieces), totalBytes };
}
