// Uploads a finished step's full stdout and stderr to the server (the OpenSSM extension of
// docs/decisions/0006-run-command-output.md): 64 KiB chunks sent as agent_job_reply messages with
// topic `openssm.commandOutput`, a few in flight per stream, each acknowledged with the usual
// agent_job_reply_ack. The bytes stay in the step's files until acknowledged and only the
// acknowledged offset is persisted, so a restart resumes where the server stopped confirming;
// a chunk's MessageId derives from its position, so a resent chunk is recognisably the same.

import { open } from 'node:fs/promises';
import { MessageType, encodeAgentJobReply } from '@openssm/protocol';
import { formatAgentError } from '../agent-error.js';
import type { Logger } from '../logging/logger.js';
import { encodeControlMessage } from '../mgs/agent-messages.js';
import type { BackoffPolicy, Random } from '../retry/backoff.js';
import { REPLY_RETRY, type ReplyLink } from './reply-queue.js';
import { stableUuid } from './stable-id.js';

/** The agent_job_reply topic of output chunks. */
export const OUTPUT_CHUNK_TOPIC = 'openssm.commandOutput';
/**
 * Raw bytes per chunk: base64 makes 87,384 characters of them, which with the JSON around it
 * stays under the 120,000-byte reply limit of the control channel.
 */
export const OUTPUT_CHUNK_BYTES = 64 * 1024;
/** Chunks in flight per stream: enough to keep a loopback link busy, few enough to stay polite. */
export const OUTPUT_WINDOW = 4;
/** Streams uploading at once; the others wait their turn. */
export const OUTPUT_PARALLEL_STREAMS = 2;

export type OutputStreamName = 'stdout' | 'stderr';

export interface OutputStreamUpload {
  readonly jobId: string;
  readonly commandId: string;
  readonly pluginId: string;
  readonly stream: OutputStreamName;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Bytes from the start that the server has acknowledged. */
  readonly uploaded: number;
}

/** The JSON `content` of one chunk. */
export interface OutputChunkContent {
  readonly schemaVersion: 1;
  readonly commandId: string;
  readonly pluginId: string;
  readonly stream: OutputStreamName;
  readonly offset: number;
  readonly totalBytes: number;
  readonly sha256: string;
  readonly eof: boolean;
  /** base64 of the bytes [offset, offset + length). */
  readonly data: string;
}

export interface OutputUploaderOptions {
  readonly link: ReplyLink;
  readonly log: Logger;
  /** Persists the acknowledged offset (called in order, one call at a time per stream). */
  readonly onProgress: (upload: OutputStreamUpload, uploaded: number) => Promise<void>;
  readonly chunkBytes?: number;
  readonly window?: number;
  readonly retry?: BackoffPolicy;
  readonly random?: Random;
}

interface InFlight {
  readonly offset: number;
  readonly messageId: string;
  attempts: number;
  dueAt: number;
}

interface Active {
  readonly upload: OutputStreamUpload;
  /** Contiguous acknowledged prefix. */
  uploaded: number;
  /** Next offset never sent yet. */
  next: number;
  readonly inFlight: Map<number, InFlight>;
  /** Acknowledged offsets beyond `uploaded` (acks may arrive out of order). */
  readonly ackedAhead: Set<number>;
  saving: Promise<void>;
}

/** The MessageId of the chunk at `offset` of a stream. */
export function outputChunkMessageId(
  jobId: string,
  pluginId: string,
  stream: OutputStreamName,
  offset: number,
): string {
  return stableUuid(`${jobId}/output/${pluginId}/${stream}/${offset}`);
}

export class OutputUploader {
  private readonly waiting: OutputStreamUpload[] = [];
  private readonly active = new Set<Active>();
  private readonly byMessageId = new Map<string, { active: Active; offset: number }>();
  private readonly done = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private connectedNow = true;
  private stopped = false;

  constructor(private readonly options: OutputUploaderOptions) {}

  /** Streams not yet fully acknowledged. */
  get pending(): number {
    return this.waiting.length + this.active.size;
  }

  /** Resolves once nothing is left to upload (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.done.add(resolve));
  }

  add(upload: OutputStreamUpload): void {
    if (this.stopped || upload.uploaded >= upload.bytes) return;
    this.waiting.push(upload);
    this.promote();
  }

  /** An agent_job_reply_ack: true when it named a chunk of ours. */
  acknowledge(messageId: string): boolean {
    const found = this.byMessageId.get(messageId);
    if (found === undefined) return false;
    const { active, offset } = found;
    this.byMessageId.delete(messageId);
    active.inFlight.delete(offset);
    active.ackedAhead.add(offset);
    const chunk = this.options.chunkBytes ?? OUTPUT_CHUNK_BYTES;
    const before = active.uploaded;
    while (active.ackedAhead.delete(active.uploaded)) {
      active.uploaded = Math.min(active.upload.bytes, active.uploaded + chunk);
    }
    if (active.uploaded !== before) {
      const uploaded = active.uploaded;
      active.saving = active.saving
        .then(() => this.options.onProgress(active.upload, uploaded))
        .catch((error: unknown) =>
          this.options.log.warn('could not record upload progress', {
            jobId: active.upload.jobId,
            error: formatAgentError(error),
          }),
        );
    }
    if (active.uploaded >= active.upload.bytes) this.finish(active);
    else this.pump(active);
    return true;
  }

  /** The control channel is (back) up: unacknowledged chunks go again, now. */
  connected(): void {
    this.connectedNow = true;
    for (const active of this.active) {
      for (const chunk of active.inFlight.values()) chunk.dueAt = 0;
      this.pump(active);
    }
  }

  /** Stops sending; resolves once progress already acknowledged has been recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([...this.active].map((active) => active.saving));
  }

  private promote(): void {
    while (!this.stopped && this.active.size < OUTPUT_PARALLEL_STREAMS && this.waiting.length > 0) {
      const upload = this.waiting.shift()!;
      const active: Active = {
        upload,
        uploaded: upload.uploaded,
        next: upload.uploaded,
        inFlight: new Map(),
        ackedAhead: new Set(),
        saving: Promise.resolve(),
      };
      this.active.add(active);
      this.pump(active);
    }
    if (this.pending === 0) {
      for (const resolve of this.done) resolve();
      this.done.clear();
    }
  }

  /** Done once its last progress is recorded; only then is it off the books (idle()). */
  private finish(active: Active): void {
    for (const chunk of active.inFlight.values()) this.byMessageId.delete(chunk.messageId);
    active.inFlight.clear();
    this.options.log.debug('output uploaded', {
      jobId: active.upload.jobId,
      pluginId: active.upload.pluginId,
      stream: active.upload.stream,
      bytes: active.upload.bytes,
    });
    void active.saving.then(() => {
      this.active.delete(active);
      this.promote();
    });
  }

  /** Sends due resends and new chunks up to the window; reads happen one at a time. */
  private pump(active: Active): void {
    void this.pumpAsync(active).catch((error: unknown) => {
      this.options.log.warn('output upload stopped: the output cannot be read', {
        jobId: active.upload.jobId,
        pluginId: active.upload.pluginId,
        stream: active.upload.stream,
        error: formatAgentError(error),
      });
      // Nothing more can be sent of it; let the other streams go on.
      active.uploaded = active.upload.bytes;
      active.next = active.upload.bytes;
      this.finish(active);
    });
  }

  private pumping = new WeakSet<Active>();

  private async pumpAsync(active: Active): Promise<void> {
    if (this.pumping.has(active) || this.stopped || !this.active.has(active)) return;
    this.pumping.add(active);
    try {
      const window = this.options.window ?? OUTPUT_WINDOW;
      const chunk = this.options.chunkBytes ?? OUTPUT_CHUNK_BYTES;
      const now = Date.now();
      for (const sent of [...active.inFlight.values()].sort((a, b) => a.offset - b.offset)) {
        if (sent.dueAt > now) continue;
        if (!(await this.send(active, sent))) return;
      }
      while (active.inFlight.size < window && active.next < active.upload.bytes) {
        const offset = active.next;
        const messageId = outputChunkMessageId(
          active.upload.jobId,
          active.upload.pluginId,
          active.upload.stream,
          offset,
        );
        const entry: InFlight = { offset, messageId, attempts: 0, dueAt: 0 };
        active.inFlight.set(offset, entry);
        this.byMessageId.set(messageId, { active, offset });
        active.next = Math.min(active.upload.bytes, offset + chunk);
        if (!(await this.send(active, entry))) return;
      }
    } finally {
      this.pumping.delete(active);
      this.schedule();
    }
  }

  private async send(active: Active, entry: InFlight): Promise<boolean> {
    if (!this.connectedNow) return false;
    const { upload } = active;
    const chunk = this.options.chunkBytes ?? OUTPUT_CHUNK_BYTES;
    const length = Math.min(chunk, upload.bytes - entry.offset);
    const data = await readRange(upload.path, entry.offset, length);
    const content: OutputChunkContent = {
      schemaVersion: 1,
      commandId: upload.commandId,
      pluginId: upload.pluginId,
      stream: upload.stream,
      offset: entry.offset,
      totalBytes: upload.bytes,
      sha256: upload.sha256,
      eof: entry.offset + length >= upload.bytes,
      data: data.toString('base64'),
    };
    const bytes = encodeControlMessage(
      MessageType.AgentJobReply,
      encodeAgentJobReply({
        jobId: upload.jobId,
        content: JSON.stringify(content),
        topic: OUTPUT_CHUNK_TOPIC,
      }),
      entry.messageId,
    );
    if (!this.options.link.send(bytes)) {
      // Down: wait for connected() instead of spinning.
      this.connectedNow = false;
      entry.dueAt = 0;
      return false;
    }
    entry.attempts += 1;
    entry.dueAt = Date.now() + this.delay(entry.attempts);
    return true;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || !this.connectedNow) return;
    let next = Number.POSITIVE_INFINITY;
    for (const active of this.active) {
      for (const chunk of active.inFlight.values()) next = Math.min(next, chunk.dueAt);
    }
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(
      () => {
        for (const active of this.active) this.pump(active);
      },
      Math.max(0, next - Date.now()),
    );
    this.timer.unref();
  }

  private delay(attempt: number): number {
    const policy = this.options.retry ?? REPLY_RETRY;
    const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.options.random ?? Math.random)() * (ceiling / 2));
  }
}

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) {
      throw new Error(`${path} is shorter than recorded (${offset + bytesRead} bytes)`);
    }
    return buffer;
  } finally {
    await handle.close();
  }
}
