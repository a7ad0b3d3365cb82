// The default object store: a directory tree under the data directory, `<root>/<bucket>/<key>`,
// laid out as the objects would be in S3. Parts wait under `<root>/.parts/` (no bucket name can
// start with a dot). Every file is written to a temporary name, fsynced, renamed into place and
// its directory fsynced, so an acknowledged write survives a crash and a reader never sees half.

import { randomBytes, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  BUCKET_NAME_PATTERN,
  isSafeObjectKey,
  type ObjectPart,
  type ObjectStore,
} from './object-store.js';

export class FilesystemObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  async putPart(bucket: string, key: string, offset: number, data: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError('bad part offset');
    await writeDurably(join(this.partsDir(bucket, key), String(offset)), data);
  }

  async listParts(bucket: string, key: string): Promise<readonly ObjectPart[]> {
    const dir = this.partsDir(bucket, key);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parts: ObjectPart[] = [];
    for (const name of names) {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(name)) continue; // temporary files
      const info = await stat(join(dir, name));
      parts.push({ offset: Number(name), size: info.size });
    }
    return parts.sort((a, b) => a.offset - b.offset);
  }

  async completeParts(
    bucket: string,
    key: string,
    length: number,
    trailer: Uint8Array,
  ): Promise<string> {
    const dir = this.partsDir(bucket, key);
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let position = 0;
    for (const part of await this.listParts(bucket, key)) {
      if (position >= length) break;
      if (part.offset + part.size <= position) continue; // wholly before what is needed
      if (part.offset > position) break;
      const bytes = await readFile(join(dir, String(part.offset)));
      const from = position - part.offset;
      const slice = bytes.subarray(from, Math.min(bytes.length, from + (length - position)));
      chunks.push(slice);
      hash.update(slice);
      position += slice.length;
    }
    if (position < length) {
      throw new Error(`parts of ${bucket}/${key} cover ${position} of ${length} bytes`);
    }
    await writeDurably(this.objectPath(bucket, key), Buffer.concat([...chunks, trailer]));
    await rm(dir, { recursive: true, force: true });
    return hash.digest('hex');
  }

  async put(bucket: string, key: string, data: Uint8Array): Promise<void> {
    await writeDurably(this.objectPath(bucket, key), data);
  }

  async head(bucket: string, key: string): Promise<{ readonly size: number } | undefined> {
    try {
      const info = await stat(this.objectPath(bucket, key));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async get(bucket: string, key: string): Promise<Readable | undefined> {
    if ((await this.head(bucket, key)) === undefined) return undefined;
    return createReadStream(this.objectPath(bucket, key));
  }

  private objectPath(bucket: string, key: string): string {
    return join(this.root, checkBucket(bucket), ...checkKey(key).split('/'));
  }

  private partsDir(bucket: string, key: string): string {
    return join(this.root, '.parts', checkBucket(bucket), ...checkKey(key).split('/'));
  }
}

function checkBucket(bucket: string): string {
  // Callers validate names from requests; anything else reaching here is a bug, not input.
  if (!BUCKET_NAME_PATTERN.test(bucket)) throw new Error(`unusable bucket name ${bucket}`);
  return bucket;
}

function checkKey(key: string): string {
  if (!isSafeObjectKey(key)) throw new Error('unusable object key');
  return key;
}

/** Writes a whole file so that it is either absent, the old file, or complete — and durable. */
async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
