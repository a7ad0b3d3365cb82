// The object store on any S3-compatible endpoint (AWS S3, MinIO, Ceph RGW …) through the AWS SDK.
// A part is an object of its own, `<key>.parts/<offset, 16 digits>`, so each write is durable in
// the bucket when it is acknowledged and a crash loses nothing already written; completing
// streams the parts, in order, into the object — one PutObject, or a multipart upload of
// PART_BYTES pieces when larger — then deletes them (docs/decisions/0013-s3-object-store.md).

import { rootCertificates } from 'node:tls';
import { Agent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import {
  assembleParts,
  assertObjectLocation,
  type ObjectPart,
  type ObjectStore,
} from './object-store.js';

export interface S3ObjectStoreOptions {
  /** `https://minio.internal:9000`; undefined: AWS's S3 endpoint for the region. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO and the like). */
  readonly forcePathStyle: boolean;
  /** Explicit keys; undefined: the AWS SDK's chain (environment, profile, web identity, IMDS). */
  readonly credentials:
    { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** PEM certificates trusted for the endpoint besides the system's (a private CA). */
  readonly caBundle: string | undefined;
}

/**
 * Multipart pieces when completing a large object: S3 wants at least 5 MiB per piece but the
 * last, and at most 10,000 pieces; 8 MiB pieces reach 80 GB and hold 8 MiB in memory at a time.
 */
export const PART_BYTES = 8 * 1024 * 1024;
/** A stalled endpoint must fail the write (and be retried by the caller), not hang it. */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 60_000;

export function createS3Client(options: S3ObjectStoreOptions): S3Client {
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    // Checksums only where S3 requires them: many S3-compatible servers refuse the SDK's newer
    // default (CRC32 trailers); each write is whole and retried on failure anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      httpsAgent: new Agent({
        keepAlive: true,
        ...(options.caBundle === undefined ? {} : { ca: [...rootCertificates, options.caBundle] }),
      }),
    },
  });
}

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  async putPart(bucket: string, key: string, offset: number, data: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError('bad part offset');
    assertObjectLocation(bucket, key);
    await request('PutObject', bucket, key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: partKey(key, offset), Body: data }),
      ),
    );
  }

  async listParts(bucket: string, key: string): Promise<readonly ObjectPart[]> {
    const prefix = partsPrefix(key);
    const parts: ObjectPart[] = [];
    for (const listed of await this.list(bucket, key, prefix)) {
      const name = listed.key.slice(prefix.length);
      if (/^[0-9]{16}$/.test(name)) parts.push({ offset: Number(name), size: listed.size });
    }
    return parts.sort((a, b) => a.offset - b.offset);
  }

  getPart(bucket: string, key: string, offset: number): Promise<Uint8Array | undefined> {
    return this.read(bucket, key, partKey(key, offset), undefined);
  }

  async completeParts(
    bucket: string,
    key: string,
    length: number,
    trailer: Uint8Array,
  ): Promise<string> {
    const upload = new ObjectUpload(this.client, bucket, key);
    let digest: string;
    try {
      digest = await assembleParts(this, bucket, key, length, (bytes) => upload.write(bytes));
      await upload.write(trailer);
      await upload.finish();
    } catch (error) {
      await upload.abort();
      throw error;
    }
    await this.deleteParts(bucket, key);
    return digest;
  }

  async put(bucket: string, key: string, data: Uint8Array): Promise<void> {
    assertObjectLocation(bucket, key);
    await request('PutObject', bucket, key, () =>
      this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data })),
    );
  }

  async head(bucket: string, key: string): Promise<{ readonly size: number } | undefined> {
    assertObjectLocation(bucket, key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (s3ErrorName(error) === 'NotFound' || s3ErrorName(error) === 'NoSuchKey') return undefined;
      throw describeError('HeadObject', bucket, key, error);
    }
  }

  async get(bucket: string, key: string): Promise<Readable | undefined> {
    assertObjectLocation(bucket, key);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      // In Node the SDK's body is the HTTP response, a Readable.
      return object.Body as Readable | undefined;
    } catch (error) {
      if (s3ErrorName(error) === 'NoSuchKey') return undefined;
      throw describeError('GetObject', bucket, key, error);
    }
  }

  getRange(
    bucket: string,
    key: string,
    offset: number,
    length: number,
  ): Promise<Uint8Array | undefined> {
    assertObjectLocation(bucket, key);
    if (length <= 0) return Promise.resolve(new Uint8Array());
    return this.read(bucket, key, key, `bytes=${String(offset)}-${String(offset + length - 1)}`);
  }

  async delete(bucket: string, key: string): Promise<void> {
    assertObjectLocation(bucket, key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      // Nothing was ever written to a bucket that does not exist (a fail-open session whose
      // bucket was never created): gone already, and retention must not stall on it.
      if (s3ErrorName(error) === 'NoSuchBucket') return;
      throw describeError('DeleteObject', bucket, key, error);
    }
    await this.deleteParts(bucket, key);
  }

  describe(bucket: string, key: string): string {
    return `s3://${bucket}/${key}`;
  }

  private async read(
    bucket: string,
    key: string,
    objectKey: string,
    range: string | undefined,
  ): Promise<Uint8Array | undefined> {
    assertObjectLocation(bucket, key);
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: objectKey,
          ...(range === undefined ? {} : { Range: range }),
        }),
      );
      return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (s3ErrorName(error) === 'NoSuchKey') return undefined;
      if (s3ErrorName(error) === 'InvalidRange') return new Uint8Array(); // past the end
      throw describeError('GetObject', bucket, objectKey, error);
    }
  }

  private async list(
    bucket: string,
    key: string,
    prefix: string,
  ): Promise<{ key: string; size: number }[]> {
    assertObjectLocation(bucket, key);
    const found: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const page = await request('ListObjectsV2', bucket, prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) found.push({ key: object.Key, size: object.Size ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  private async deleteParts(bucket: string, key: string): Promise<void> {
    const keys = (await this.list(bucket, key, partsPrefix(key))).map((part) => part.key);
    // DeleteObjects takes at most 1,000 keys a request.
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const result = await request('DeleteObjects', bucket, partsPrefix(key), () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const failed = result.Errors?.[0];
      if (failed !== undefined) {
        throw new Error(
          `S3 DeleteObjects s3://${bucket}/${failed.Key ?? '?'}: ${failed.Code ?? 'Error'}: ${failed.Message ?? ''}`,
        );
      }
    }
  }
}

/** An object written front to back: one PutObject when it fits in a piece, else a multipart upload. */
class ObjectUpload {
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private uploadId: string | undefined;
  private readonly pieces: CompletedPart[] = [];

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {
    assertObjectLocation(bucket, key);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    this.buffered.push(bytes);
    this.bufferedBytes += bytes.length;
    while (this.bufferedBytes >= PART_BYTES) {
      const all = Buffer.concat(this.buffered);
      this.buffered = [all.subarray(PART_BYTES)];
      this.bufferedBytes = all.length - PART_BYTES;
      await this.uploadPiece(all.subarray(0, PART_BYTES));
    }
  }

  async finish(): Promise<void> {
    const rest = Buffer.concat(this.buffered);
    const { bucket, key } = this;
    if (this.uploadId === undefined) {
      await request('PutObject', bucket, key, () =>
        this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: rest })),
      );
      return;
    }
    if (rest.length > 0) await this.uploadPiece(rest);
    const uploadId = this.uploadId;
    await request('CompleteMultipartUpload', bucket, key, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: this.pieces },
        }),
      ),
    );
    this.uploadId = undefined;
  }

  /** Best effort: an upload left open costs storage until the bucket's lifecycle rule ends it. */
  async abort(): Promise<void> {
    if (this.uploadId === undefined) return;
    await this.client
      .send(
        new AbortMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: this.uploadId,
        }),
      )
      .catch(() => undefined);
  }

  private async uploadPiece(bytes: Uint8Array): Promise<void> {
    const { bucket, key } = this;
    if (this.uploadId === undefined) {
      const created = await request('CreateMultipartUpload', bucket, key, () =>
        this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key })),
      );
      if (created.UploadId === undefined) throw new Error('S3 returned no UploadId');
      this.uploadId = created.UploadId;
    }
    const uploadId = this.uploadId;
    const PartNumber = this.pieces.length + 1;
    const uploaded = await request('UploadPart', bucket, key, () =>
      this.client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber,
          Body: bytes,
        }),
      ),
    );
    this.pieces.push({ PartNumber, ETag: uploaded.ETag });
  }
}

/** Runs one request, turning its failure into an error that says what and where. */
async function request<T>(
  operation: string,
  bucket: string,
  key: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeError(operation, bucket, key, error);
  }
}

function partsPrefix(key: string): string {
  return `${key}.parts/`;
}

function partKey(key: string, offset: number): string {
  return `${partsPrefix(key)}${String(offset).padStart(16, '0')}`;
}

function s3ErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * `S3 PutObject s3://b/k: NoSuchBucket: The specified bucket does not exist` — what failed and
 * where, for the server log and the audit trail. SDK messages carry no credentials.
 */
function describeError(operation: string, bucket: string, key: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const what = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  return new Error(`S3 ${operation} s3://${bucket}/${key}: ${name}: ${what}`, { cause: error });
}
