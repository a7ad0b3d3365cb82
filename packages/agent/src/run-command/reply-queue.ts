// The durable queue of agent_job_reply messages (ssm-wire §6.6): every reply is written to the
// state directory before it is sent and stays there until agent_job_reply_ack names its
// MessageId. Unacknowledged replies are sent again — at once when the control channel comes back,
// else after a growing delay — and survive restarts; the MessageId never changes, so the server
// applies each reply once however often it arrives. Order is kept: a job's replies go out in the
// order they were queued.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MessageType, encodeAgentJobReply, isUuid } from '@openssm/protocol';
import { formatAgentError } from '../agent-error.js';
import type { Logger } from '../logging/logger.js';
import { encodeControlMessage } from '../mgs/agent-messages.js';
import type { BackoffPolicy, Random } from '../retry/backoff.js';
import { ensureStateDir, removeFile, writeFileAtomic } from '../state/state-files.js';

export interface QueuedReply {
  /** The AgentMessage MessageId: the same on every send, the key of the ack. */
  readonly messageId: string;
  readonly jobId: string;
  readonly topic: string;
  /** JSON text (double-encoded on the wire). */
  readonly content: string;
}

/** Where replies go: the control channel (false when it is down). */
export interface ReplyLink {
  send(bytes: Uint8Array): boolean;
}

export interface ReplyQueueOptions {
  readonly dir: string;
  readonly link: ReplyLink;
  readonly log: Logger;
  /** Resend delays: base doubles per attempt up to cap, half of it random. */
  readonly retry?: BackoffPolicy;
  /** Replies older than this are dropped unsent (a server that waited this long gave up). */
  readonly maxAgeMs?: number;
  readonly random?: Random;
}

/** First resend 1 s after a send without ack (as AWS's agent), doubling up to a minute. */
export const REPLY_RETRY: BackoffPolicy = { baseMs: 1000, capMs: 60_000 };
/** 30 days: SendCommand's longest delivery timeout (TimeoutSeconds ≤ 2,592,000). */
export const REPLY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

interface Entry {
  readonly reply: QueuedReply;
  readonly queuedAt: number;
  readonly file: string;
  attempts: number;
  dueAt: number;
}

interface StoredReply extends QueuedReply {
  readonly queuedAt: number;
}

export class ReplyQueue {
  /** In queue order (Map iteration order is insertion order). */
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sequence = 0;

  constructor(private readonly options: ReplyQueueOptions) {}

  get size(): number {
    return this.entries.size;
  }

  has(messageId: string): boolean {
    return this.entries.has(messageId);
  }

  /** The queued replies, oldest first (for tests and status). */
  list(): QueuedReply[] {
    return [...this.entries.values()].map((entry) => entry.reply);
  }

  /** Loads what a previous run left unacknowledged and starts sending it. */
  async start(): Promise<void> {
    const { dir, log } = this.options;
    await ensureStateDir(dir);
    const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
    const maxAge = this.options.maxAgeMs ?? REPLY_MAX_AGE_MS;
    for (const name of names) {
      const file = join(dir, name);
      const stored = parseStoredReply(await readFile(file, 'utf8').catch(() => ''));
      if (stored === undefined || Date.now() - stored.queuedAt > maxAge) {
        log.warn('dropping a stored reply', {
          file: name,
          reason: stored === undefined ? 'unreadable' : 'too old',
        });
        await removeFile(file);
        continue;
      }
      if (this.entries.has(stored.messageId)) {
        await removeFile(file);
        continue;
      }
      const { queuedAt, ...reply } = stored;
      this.entries.set(stored.messageId, {
        reply,
        queuedAt,
        file,
        attempts: 0,
        dueAt: 0,
      });
    }
    if (this.entries.size > 0) log.info('replies to resend', { count: this.entries.size });
    this.flush();
  }

  /**
   * Persists `reply`, then sends it if the control channel is up. A reply whose MessageId is
   * already queued is not queued twice. Resolves once it is on disk.
   */
  async enqueue(reply: QueuedReply): Promise<void> {
    if (this.entries.has(reply.messageId)) return;
    const queuedAt = Date.now();
    const name = `${String(queuedAt).padStart(15, '0')}-${String(this.sequence++).padStart(6, '0')}-${reply.messageId}.json`;
    const file = join(this.options.dir, name);
    const stored: StoredReply = { ...reply, queuedAt };
    await writeFileAtomic(file, `${JSON.stringify(stored)}\n`);
    this.entries.set(reply.messageId, { reply, queuedAt, file, attempts: 0, dueAt: 0 });
    this.flush();
  }

  /** An agent_job_reply_ack: true when it named a queued reply (now removed). */
  acknowledge(messageId: string): boolean {
    const entry = this.entries.get(messageId);
    if (entry === undefined) return false;
    this.entries.delete(messageId);
    removeFile(entry.file).catch((error: unknown) =>
      this.options.log.warn('could not remove an acknowledged reply', {
        file: entry.file,
        error: formatAgentError(error),
      }),
    );
    return true;
  }

  /** The control channel is (back) up: everything unacknowledged goes again, now. */
  connected(): void {
    for (const entry of this.entries.values()) entry.dueAt = 0;
    this.flush();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Sends every due reply in order; stops at the first the link refuses (it is down). */
  private flush(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    const maxAge = this.options.maxAgeMs ?? REPLY_MAX_AGE_MS;
    for (const [messageId, entry] of this.entries) {
      if (now - entry.queuedAt > maxAge) {
        this.options.log.warn('dropping an unacknowledged reply: too old', {
          jobId: entry.reply.jobId,
          messageId,
        });
        this.acknowledge(messageId);
        continue;
      }
      if (entry.dueAt > now) continue;
      if (!this.send(entry)) return; // connected() flushes again
      entry.attempts += 1;
      entry.dueAt = now + this.delay(entry.attempts);
    }
    const next = Math.min(...[...this.entries.values()].map((entry) => entry.dueAt));
    if (Number.isFinite(next)) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, next - Date.now()));
      this.timer.unref();
    }
  }

  private send(entry: Entry): boolean {
    const { reply } = entry;
    const bytes = encodeControlMessage(
      MessageType.AgentJobReply,
      encodeAgentJobReply({ jobId: reply.jobId, content: reply.content, topic: reply.topic }),
      reply.messageId,
    );
    const sent = this.options.link.send(bytes);
    if (sent) {
      this.options.log.debug('sent agent_job_reply', {
        jobId: reply.jobId,
        messageId: reply.messageId,
        attempt: entry.attempts + 1,
      });
    }
    return sent;
  }

  /** Wait after the `attempt`-th send: base × 2^(attempt-1) up to cap, the upper half random. */
  private delay(attempt: number): number {
    const policy = this.options.retry ?? REPLY_RETRY;
    const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.options.random ?? Math.random)() * (ceiling / 2));
  }
}

function parseStoredReply(text: string): StoredReply | undefined {
  try {
    const value = JSON.parse(text) as Partial<StoredReply>;
    if (
      typeof value.messageId === 'string' &&
      isUuid(value.messageId) &&
      typeof value.jobId === 'string' &&
      typeof value.topic === 'string' &&
      typeof value.content === 'string' &&
      typeof value.queuedAt === 'number'
    ) {
      return {
        messageId: value.messageId,
        jobId: value.jobId,
        topic: value.topic,
        content: value.content,
        queuedAt: value.queuedAt,
      };
    }
  } catch {
    // Falls through: unreadable.
  }
  return undefined;
}
