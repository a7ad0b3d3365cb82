// A real S3-compatible server on 127.0.0.1 for tests: s3rver (a Node implementation of S3's REST
// API; it checks access key ids, not SigV4 signatures) over a temporary directory, with an SDK
// client to look into its buckets. Its fixed test keys are s3rver's own.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';

export interface TestS3Server {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly client: S3Client;
  /** The server flags that point an OpenSSM server's object store here. */
  readonly serverArgs: readonly string[];
  createBucket(name: string): Promise<void>;
  /** Every key in the bucket (under `prefix`), sorted. */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  text(bucket: string, key: string): Promise<string>;
  /** Stops answering: connections to the endpoint are refused from then on. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3Server(): Promise<TestS3Server> {
  // Imported here, not at the top: every test imports the testkit, few need S3 (seconds saved).
  const { default: S3rver } = await import('s3rver');
  const { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } =
    await import('@aws-sdk/client-s3');
  const directory = await mkdtemp(join(tmpdir(), 'openssm-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${String(port)}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: KEYS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    await server.close();
  };
  return {
    endpoint,
    ...KEYS,
    client,
    serverArgs: [
      '--object-store',
      's3',
      '--s3-endpoint',
      endpoint,
      '--s3-force-path-style',
      '--s3-access-key-id',
      KEYS.accessKeyId,
      '--s3-secret-access-key',
      KEYS.secretAccessKey,
    ],
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async keys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(prefix === undefined ? {} : { Prefix: prefix }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    async text(bucket, key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString('utf8')) ?? '';
    },
    stop,
    async close() {
      client.destroy();
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
