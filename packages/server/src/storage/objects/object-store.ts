// Where large blobs live — today the full stdout/stderr of Run Command steps — addressed as an
// S3 bucket and key, so an S3-compatible driver can replace the filesystem one. Objects are
// written in parts (as a multipart upload) and completed once every byte is there; every write
// is durable when its promise settles.

import type { Readable } from 'node:stream';

export interface ObjectPart {
  readonly offset: number;
  readonly size: number;
}

export interface ObjectStore {
  /** Stores bytes at `offset` of the object being assembled at bucket/key (replaces a part there). */
  putPart(bucket: string, key: string, offset: number, data: Uint8Array): Promise<void>;
  /** The parts stored so far, by offset. */
  listParts(bucket: string, key: string): Promise<readonly ObjectPart[]>;
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
