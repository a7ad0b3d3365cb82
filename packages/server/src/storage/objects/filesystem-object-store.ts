// The default object store: a directory tree under the data directory, `<root>/<bucket>/<key>`,
// laid out as the objects would be in S3. Parts wait under `<root>/.parts/` (no bucket name can
// start with a dot). Every file is written to a temporary name, fsynced, renamed into place and
// its directory fsynced, so an acknowledged write survives a crash and a reader never sees half.

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  assembleParts,
  assertObjectLocation,
  type ObjectPart,
  type ObjectStore,
} from './object-store.js';

export class FilesystemObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  async putPart(bucket: string, key: string, offset: number, data: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError('bad part offset');
    await writeDurably(join(this.partsDir(bucket, key), String(offset)), (file) =>
      file.writeFile(data),
    );
  }

  async listParts(bucket: string, key: string): Promise<readonly ObjectPart[]> {
    const dir = this.partsDir(bucket, key);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const parts: ObjectPart[] = [];
    for (const name of names) {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(name)) continue; // temporary files
      const info = await stat(join(dir, name)).catch((error: unknown) => {
        if (isMissing(error)) return undefined; // completed meanwhile
        throw error;
      });
      if (info !== undefined) parts.push({ offset: Number(name), size: info.size });
    }
    return parts.sort((a, b) => a.offset - b.offset);
  }

  async getPart(bucket: string, key: string, offset: number): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.partsDir(bucket, key), String(offset)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async completeParts(
    bucket: string,
    key: string,
    length: number,
    trailer: Uint8Array,
  ): Promise<string> {
    let digest = '';
    await writeDurably(this.objectPath(bucket, key), async (file) => {
      digest = await assembleParts(this, bucket, key, length, async (bytes) => {
        await file.write(bytes);
      });
      await file.write(trailer);
    });
    await rm(this.partsDir(bucket, key), { recursive: true, force: true });
    return digest;
  }

  async put(bucket: string, key: string, data: Uint8Array): Promise<void> {
    await writeDurably(this.objectPath(bucket, key), (file) => file.writeFile(data));
  }

  async head(bucket: string, key: string): Promise<{ readonly size: number } | undefined> {
    try {
      const info = await stat(this.objectPath(bucket, key));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async get(bucket: string, key: string): Promise<Readable | undefined> {
    if ((await this.head(bucket, key)) === undefined) return undefined;
    return createReadStream(this.objectPath(bucket, key));
  }

  async getRange(
    bucket: string,
    key: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array | undefined> {
    let file: FileHandle;
    try {
      file = await open(this.objectPath(bucket, key), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    await rm(this.objectPath(bucket, key), { force: true });
    await rm(this.partsDir(bucket, key), { recursive: true, force: true });
  }

  describe(bucket: string, key: string): string {
    return this.objectPath(bucket, key);
  }

  private objectPath(bucket: string, key: string): string {
    assertObjectLocation(bucket, key);
    return join(this.root, bucket, ...key.split('/'));
  }

  private partsDir(bucket: string, key: string): string {
    assertObjectLocation(bucket, key);
    return join(this.root, '.parts', bucket, ...key.split('/'));
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Writes a whole file so that it is either absent, the old file, or complete — and durable. */
async function writeDurably(
  path: string,
  fill: (file: FileHandle) => Promise<void>,
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await fill(file);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
