// The full stdout/stderr of Run Command steps (docs/decisions/0006-run-command-output.md): the
// node uploads each stream in chunks (agent_job_reply, topic `openssm.commandOutput`); this
// stores them by offset in the object store, laid out as AWS lays out S3 output, and completes
// the object once every byte is there and its SHA-256 matches what the node announced. What is
// kept per invocation is capped; a stream cut by the cap ends with a marker saying so.

import { createHash } from 'node:crypto';
import { JsonObjectReader, parseJsonText } from '@openssm/protocol';
import type { Readable } from 'node:stream';
import type { Logger } from '../logging/logger.js';
import type { CommandRecord, InvocationPluginRecord } from '../storage/command-records.js';
import type { ObjectStore } from '../storage/objects/object-store.js';

/** The agent_job_reply topic of output chunks. */
export const OUTPUT_CHUNK_TOPIC = 'openssm.commandOutput';
/** Where output goes when the command names no bucket. */
export const DEFAULT_OUTPUT_BUCKET = 'openssm-output';
/** Default cap on the full output kept per invocation (every step, both streams): 100 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 100 * 1024 * 1024;
/** The agent sends 64 KiB per chunk; a little slack for other senders. */
const MAX_CHUNK_BYTES = 256 * 1024;
/** A chunk's JSON: 64 KiB of data as base64 plus the fields around it. */
const MAX_CHUNK_CONTENT_BYTES = 512 * 1024;

export type OutputStreamName = 'stdout' | 'stderr';

export interface OutputChunk {
  readonly commandId: string;
  readonly pluginId: string;
  readonly stream: OutputStreamName;
  readonly offset: number;
  readonly totalBytes: number;
  readonly sha256: string;
  readonly data: Uint8Array;
}

/** Reads a chunk's content; throws CodedError('PayloadInvalid') naming what is wrong. */
export function parseOutputChunk(content: string): OutputChunk {
  const what = 'OutputChunk';
  const reader = JsonObjectReader.from(parseJsonText(content, what, MAX_CHUNK_CONTENT_BYTES), what);
  const stream = reader.oneOf('stream', ['stdout', 'stderr'] as const);
  const offset = reader.integer('offset', 0, Number.MAX_SAFE_INTEGER);
  const totalBytes = reader.integer('totalBytes', 0, Number.MAX_SAFE_INTEGER);
  const sha256 = reader.string('sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw reader.fail('sha256', 'must be a hex SHA-256');
  const encoded = reader.string('data');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw reader.fail('data', 'must be base64');
  }
  const data = Buffer.from(encoded, 'base64');
  if (data.length > MAX_CHUNK_BYTES) throw reader.fail('data', 'is larger than a chunk may be');
  if (offset + data.length > totalBytes) {
    throw reader.fail('data', 'reaches beyond totalBytes');
  }
  return {
    commandId: reader.string('commandId'),
    pluginId: reader.string('pluginId'),
    stream,
    offset,
    totalBytes,
    sha256,
    data,
  };
}

/** A step's stream as an object: bucket and key, AWS's S3 layout (ssm-wire §7.4). */
export interface OutputLocation {
  readonly bucket: string;
  readonly key: string;
}

export function outputLocation(
  command: Pick<CommandRecord, 'commandId' | 'outputS3BucketName' | 'outputS3KeyPrefix'>,
  instanceId: string,
  plugin: Pick<InvocationPluginRecord, 'name' | 'pluginName' | 'stepName'>,
  stream: OutputStreamName,
): OutputLocation {
  const parts = [
    ...command.outputS3KeyPrefix.split('/').filter((part) => part !== ''),
    command.commandId,
    instanceId,
    segment(plugin.pluginName || plugin.name),
    segment(plugin.stepName || plugin.name),
    stream,
  ];
  return { bucket: command.outputS3BucketName || DEFAULT_OUTPUT_BUCKET, key: parts.join('/') };
}

/** AWS drops the colons (`aws:runShellScript` → `awsrunShellScript`); we also drop what no path may hold. */
function segment(name: string): string {
  const cleaned = name.replaceAll(':', '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? `_${cleaned}` : cleaned;
}

/** The line a stream cut by the cap ends with. */
export function truncationMarker(kept: number, total: number, cap: number): string {
  return `\n[openssm: output truncated: ${kept} of ${total} bytes kept; at most ${cap} bytes of output are kept per invocation]\n`;
}

export class CommandOutputStore {
  /** Per object, the handling of its chunks so far (one at a time, so one completes it). */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly log: Logger,
    readonly maxBytesPerInvocation: number = DEFAULT_MAX_OUTPUT_BYTES,
  ) {}

  /**
   * Stores the part of `chunk` that falls within the first `kept` bytes of its stream (the rest
   * is dropped: the cap), and completes the object once those bytes are all there. Resolves
   * once that is durable.
   */
  write(location: OutputLocation, chunk: OutputChunk, kept: number): Promise<void> {
    const id = `${location.bucket}/${location.key}`;
    const previous = this.turns.get(id) ?? Promise.resolve();
    const turn = previous.then(() => this.writeNow(location, chunk, kept));
    const settled = turn.catch(() => undefined);
    this.turns.set(id, settled);
    void settled.then(() => {
      if (this.turns.get(id) === settled) this.turns.delete(id);
    });
    return turn;
  }

  /** The stored stream, or undefined while it is incomplete (or was never sent). */
  async read(location: OutputLocation): Promise<Readable | undefined> {
    return this.store.get(location.bucket, location.key);
  }

  async isComplete(location: OutputLocation): Promise<boolean> {
    return (await this.store.head(location.bucket, location.key)) !== undefined;
  }

  private async writeNow(
    location: OutputLocation,
    chunk: OutputChunk,
    kept: number,
  ): Promise<void> {
    const { bucket, key } = location;
    if (await this.isComplete(location)) return; // a resend of a chunk of a finished stream
    const truncated = kept < chunk.totalBytes;
    const trailer = Buffer.from(
      truncated ? truncationMarker(kept, chunk.totalBytes, this.maxBytesPerInvocation) : '',
    );
    if (chunk.offset < kept) {
      const data = chunk.data.subarray(0, Math.min(chunk.data.length, kept - chunk.offset));
      if (chunk.offset === 0 && data.length === kept) {
        // The whole stream in one chunk (most commands): no parts to keep.
        if (!truncated) this.verify(location, chunk, sha256Hex(data));
        await this.store.put(bucket, key, Buffer.concat([data, trailer]));
        return;
      }
      await this.store.putPart(bucket, key, chunk.offset, data);
    }
    // Whatever this chunk added, the kept bytes may all be there now.
    if (kept === 0) {
      await this.store.put(bucket, key, trailer);
      return;
    }
    if (!covers(await this.store.listParts(bucket, key), kept)) return;
    const digest = await this.store.completeParts(bucket, key, kept, trailer);
    if (!truncated) this.verify(location, chunk, digest);
  }

  private verify(location: OutputLocation, chunk: OutputChunk, digest: string): void {
    // Kept anyway (it is what the node sent), but someone should know.
    if (digest !== chunk.sha256) {
      this.log.error('command output does not match the SHA-256 the node announced', {
        bucket: location.bucket,
        key: location.key,
        bytes: chunk.totalBytes,
      });
    }
  }
}

function covers(parts: readonly { offset: number; size: number }[], length: number): boolean {
  let position = 0;
  for (const part of parts) {
    if (part.offset > position) return false;
    position = Math.max(position, part.offset + part.size);
    if (position >= length) return true;
  }
  return position >= length;
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
