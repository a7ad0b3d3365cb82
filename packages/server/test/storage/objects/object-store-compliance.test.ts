// One suite for every object-store driver: the directory tree, and the S3 driver against a real
// S3-compatible server on loopback (s3rver). Parts by offset, completion (one
// request, or a multipart upload past PART_BYTES), reads of a live object from its parts,
// deletion of both, and — S3 only — failures that say what and where.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { startS3Server, type TestS3Server } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesystemObjectStore } from '../../../src/storage/objects/filesystem-object-store.js';
import { readObjectOrParts, type ObjectStore } from '../../../src/storage/objects/object-store.js';
import {
  PART_BYTES,
  S3ObjectStore,
  createS3Client,
} from '../../../src/storage/objects/s3-object-store.js';

const BUCKET = 'compliance';
let s3: TestS3Server;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-objects-'));
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
});

afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

function s3Store(endpoint: string): S3ObjectStore {
  return new S3ObjectStore(
    createS3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      caBundle: undefined,
    }),
  );
}

const drivers: [string, () => ObjectStore][] = [
  ['directory', () => new FilesystemObjectStore(dir)],
  ['s3', () => s3Store(s3.endpoint)],
];

const bytes = (value: string) => Buffer.from(value, 'utf8');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe.each(drivers)('object store: %s', (_name, open) => {
  it('stores whole objects and reads them whole or by range', async () => {
    const store = open();
    expect(await store.head(BUCKET, 'whole/a.txt')).toBeUndefined();
    expect(await store.get(BUCKET, 'whole/a.txt')).toBeUndefined();
    expect(await store.getRange(BUCKET, 'whole/a.txt', 0, 10)).toBeUndefined();
    await store.put(BUCKET, 'whole/a.txt', bytes('hello, world'));
    expect(await store.head(BUCKET, 'whole/a.txt')).toEqual({ size: 12 });
    expect(await text((await store.get(BUCKET, 'whole/a.txt'))!)).toBe('hello, world');
    expect(Buffer.from((await store.getRange(BUCKET, 'whole/a.txt', 7, 100))!).toString()).toBe(
      'world',
    );
    expect((await store.getRange(BUCKET, 'whole/a.txt', 12, 10))?.length).toBe(0);
    await store.put(BUCKET, 'whole/a.txt', bytes('replaced'));
    expect(await text((await store.get(BUCKET, 'whole/a.txt'))!)).toBe('replaced');
  });

  it('keeps parts by offset, replaces a resent one, reads them while live, and completes once', async () => {
    const store = open();
    const key = 'live/session.cast';
    await store.putPart(BUCKET, key, 0, bytes('first '));
    await store.putPart(BUCKET, key, 6, bytes('sec'));
    // A retried batch lands at the same offset with more in it.
    await store.putPart(BUCKET, key, 6, bytes('second '));
    await store.putPart(BUCKET, key, 13, bytes('third'));
    expect(await store.listParts(BUCKET, key)).toEqual([
      { offset: 0, size: 6 },
      { offset: 6, size: 7 },
      { offset: 13, size: 5 },
    ]);
    expect(Buffer.from((await store.getPart(BUCKET, key, 6))!).toString()).toBe('second ');
    expect(await store.getPart(BUCKET, key, 7)).toBeUndefined();
    const live = await readObjectOrParts(store, BUCKET, key, 3, 8);
    expect(live?.totalBytes).toBe(18);
    expect(Buffer.from(live!.bytes).toString()).toBe('st secon');

    const digest = await store.completeParts(BUCKET, key, 18, bytes('\n[end]'));
    expect(digest).toBe(sha256(bytes('first second third')));
    expect(await store.listParts(BUCKET, key)).toEqual([]);
    expect(await text((await store.get(BUCKET, key))!)).toBe('first second third\n[end]');
    const done = await readObjectOrParts(store, BUCKET, key, 13, 100);
    expect({ ...done, bytes: Buffer.from(done!.bytes).toString() }).toEqual({
      bytes: 'third\n[end]',
      totalBytes: 24,
    });
  });

  it('refuses to complete parts that leave a gap, and keeps them', async () => {
    const store = open();
    await store.putPart(BUCKET, 'gap/x', 0, bytes('abc'));
    await store.putPart(BUCKET, 'gap/x', 5, bytes('fgh'));
    await expect(store.completeParts(BUCKET, 'gap/x', 8, new Uint8Array())).rejects.toThrow(
      /cover 3 of 8 bytes/,
    );
    expect(await store.head(BUCKET, 'gap/x')).toBeUndefined();
    expect((await store.listParts(BUCKET, 'gap/x')).length).toBe(2);
  });

  it('completes an object larger than one upload piece', async () => {
    const store = open();
    const key = 'large/recording.cast';
    const MiB = 1024 * 1024;
    const whole = Buffer.alloc(PART_BYTES + 3 * MiB);
    for (let i = 0; i < whole.length; i += 4096) whole.write(`block ${String(i)}\n`, i);
    for (let offset = 0; offset < whole.length; offset += 2 * MiB) {
      await store.putPart(BUCKET, key, offset, whole.subarray(offset, offset + 2 * MiB));
    }
    expect(await store.completeParts(BUCKET, key, whole.length, bytes('!'))).toBe(sha256(whole));
    expect(await store.head(BUCKET, key)).toEqual({ size: whole.length + 1 });
    const tail = await store.getRange(BUCKET, key, whole.length - 4096, 8192);
    expect(Buffer.from(tail!)).toEqual(Buffer.concat([whole.subarray(-4096), bytes('!')]));
  }, 60_000);

  it('deletes the object and any parts, and a missing one quietly', async () => {
    const store = open();
    await store.put(BUCKET, 'gone/a.log', bytes('x'));
    await store.putPart(BUCKET, 'gone/a.log', 0, bytes('y'));
    await store.delete(BUCKET, 'gone/a.log');
    expect(await store.head(BUCKET, 'gone/a.log')).toBeUndefined();
    expect(await store.listParts(BUCKET, 'gone/a.log')).toEqual([]);
    await store.delete(BUCKET, 'gone/never');
    // A bucket that never existed holds nothing to delete (retention must not stall on it).
    await store.delete('never-created', 'a/b.cast');
  });

  it('refuses keys that could leave the bucket', async () => {
    const store = open();
    await expect(store.put(BUCKET, '../escape', bytes('x'))).rejects.toThrow(/object key/);
    await expect(store.putPart('Not_A_Bucket', 'k', 0, bytes('x'))).rejects.toThrow(/bucket/);
  });
});

describe('object store: s3 failures', () => {
  it('says which request failed where when the bucket does not exist', async () => {
    const store = s3Store(s3.endpoint);
    await expect(store.putPart('no-such-bucket', 'a/b.cast', 0, bytes('x'))).rejects.toThrow(
      /^S3 PutObject s3:\/\/no-such-bucket\/a\/b\.cast: NoSuchBucket: /,
    );
    expect(store.describe('no-such-bucket', 'a/b.cast')).toBe('s3://no-such-bucket/a/b.cast');
  });

  it('fails, without hanging, when the endpoint is unreachable', async () => {
    const stopped = await startS3Server();
    const endpoint = stopped.endpoint;
    await stopped.close();
    const store = s3Store(endpoint);
    await expect(store.putPart(BUCKET, 'k', 0, bytes('x'))).rejects.toThrow(
      /^S3 PutObject s3:\/\/compliance\/k: .*ECONNREFUSED/,
    );
  }, 30_000);

  it('reports refused credentials without repeating the secret', async () => {
    // s3rver checks the access key id (not SigV4 signatures): an unknown key is refused (403).
    const store = new S3ObjectStore(
      createS3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'not-the-secret' },
        caBundle: undefined,
      }),
    );
    const failure = await store.put(BUCKET, 'k', bytes('x')).catch((error: unknown) => error);
    expect(String(failure)).toMatch(
      /^Error: S3 PutObject s3:\/\/compliance\/k: InvalidAccessKeyId: /,
    );
    expect(String(failure)).not.toContain('not-the-secret');
  });
});
