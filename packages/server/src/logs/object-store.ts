// Where session recordings and transcripts are kept: an interface in S3's terms (bucket, key),
// and the default driver, a directory per bucket under the data directory. Writes are appends
// (a recording grows while the session runs); an S3-compatible driver would spool and upload
// on finish — not implemented yet (docs/session-logs.md).

import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface ObjectStore {
  /** Appends bytes to the object, creating it; durable (fsynced) when the promise settles. */
  append(location: ObjectLocation, bytes: Uint8Array): Promise<void>;
  /** Up to `length` bytes from `offset`; empty past the end; undefined when it does not exist. */
  read(location: ObjectLocation, offset: number, length: number): Promise<Uint8Array | undefined>;
  /** The object's size, or undefined when it does not exist. */
  size(location: ObjectLocation): Promise<number | undefined>;
  /** Removes the object; no error when it is already gone. */
  delete(location: ObjectLocation): Promise<void>;
  /** Human-readable place, for docs and logs (`/var/lib/openssm/objects/b/k`, `s3://b/k`). */
  describe(location: ObjectLocation): string;
}

/** S3's bucket naming rules, which also keep a bucket one safe directory name. */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Keys: S3's safe characters and `/`; no `..` segment, no leading `/`. */
const KEY = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9!_.*'()/@=+-]{1,1024}$/;

export function createDirectoryObjectStore(root: string): ObjectStore {
  const pathOf = (location: ObjectLocation): string => {
    if (!BUCKET_NAME.test(location.bucket) || !KEY.test(location.key)) {
      throw new Error(`invalid object location ${location.bucket}/${location.key}`);
    }
    const base = resolve(root, location.bucket);
    const path = resolve(base, location.key);
    // The patterns already exclude `..`; this keeps a future pattern change from escaping.
    if (!path.startsWith(base + sep)) throw new Error('object key escapes its bucket');
    return path;
  };
  return {
    async append(location, bytes) {
      const path = pathOf(location);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const handle = await open(path, 'a', 0o600);
      try {
        await handle.write(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async read(location, offset, length) {
      const path = pathOf(location);
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async size(location) {
      try {
        return (await stat(pathOf(location))).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async delete(location) {
      await rm(pathOf(location), { force: true });
    },
    describe: (location) => join(root, location.bucket, location.key),
  };
}

/** Reads a whole (small) object; for tests and exports. */
export async function readWholeFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
