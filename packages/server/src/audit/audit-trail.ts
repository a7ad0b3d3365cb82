// The audit trail's writer: turns API calls and service events into CloudTrail records and
// appends them to the hash chain in batches (one transaction for whatever arrived meanwhile),
// with a signed digest after every `digestEvery` records and on a timer. A storage failure is
// logged once per outage and retried; callers are never failed by it, and nothing queued is
// dropped while the queue is below its bound.

import { AUDIT_GENESIS_HASH, readDigest, sealAuditRecord } from '@openssm/protocol';
import { createHash } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import type { NewAuditRow } from '../storage/log-records.js';
import type { AuditRepository } from '../storage/log-repositories.js';
import type { ServerIdentity } from '../services/services.js';
import type { AuditSigner } from './audit-signer.js';
import type { AuditEvent, AuditSink } from './audit-sink.js';
import { apiCallRow, serviceEventRow, type ServiceEvent } from './cloudtrail-record.js';

export interface AuditTrailOptions {
  readonly repository: AuditRepository;
  readonly signer: AuditSigner;
  readonly identity: ServerIdentity;
  readonly now: () => number;
  readonly log: Logger;
  /** A digest after this many records. */
  readonly digestEvery: number;
  /** …and at least this often while records arrive (ms). */
  readonly digestIntervalMs: number;
  /** Also told of every API call (tests, the legacy log sink). */
  readonly observer?: AuditSink;
}

/** Queued records beyond this are refused (logged) rather than exhausting memory. */
export const MAX_QUEUED_AUDIT_RECORDS = 100_000;
const RETRY_MS = 1_000;

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export const sealRecord = (prevHash: string, seq: number, record: string): string =>
  sealAuditRecord(sha256, prevHash, seq, record);

interface Pending {
  readonly row: NewAuditRow;
  readonly done: () => void;
}

export class AuditTrail implements AuditSink {
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private failing = false;
  private sinceDigest = 0;
  private lastDigestSeq = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly digestTimer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly options: AuditTrailOptions) {
    this.digestTimer = setInterval(() => {
      if (this.sinceDigest > 0) this.kick(true);
    }, options.digestIntervalMs);
    this.digestTimer.unref();
  }

  /** Picks up where the stored trail ends (records since its last digest count toward the next). */
  async start(): Promise<void> {
    const head = await this.options.repository.head();
    if (head === undefined) return;
    const recent = await this.options.repository.lookup({ eventName: 'AuditDigest' }, { limit: 1 });
    const last = recent.items[0];
    const digest = last === undefined ? undefined : readDigest(last.record);
    this.lastDigestSeq = digest?.lastSeq ?? 0;
    this.sinceDigest = head.seq - (last?.seq ?? 0);
  }

  record(event: AuditEvent): Promise<void> {
    try {
      void Promise.resolve(this.options.observer?.record(event)).catch(() => undefined);
    } catch {
      // An observer's mistake must not cost the record.
    }
    return this.enqueue(apiCallRow(event, this.options.identity));
  }

  recordServiceEvent(event: ServiceEvent): Promise<void> {
    return this.enqueue(serviceEventRow(event, this.options.identity));
  }

  /** Resolves once everything queued before the call is stored (or the writer is failing). */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.writing !== undefined) {
      if (this.failing) return;
      this.kick(false);
      await this.writing;
    }
  }

  /** Writes what is queued and a final digest; stops the timers. */
  async close(): Promise<void> {
    await this.flush();
    if (this.sinceDigest > 0 && !this.failing) {
      this.kick(true);
      await this.writing;
    }
    this.closed = true;
    clearInterval(this.digestTimer);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
  }

  private enqueue(row: NewAuditRow): Promise<void> {
    if (this.queue.length >= MAX_QUEUED_AUDIT_RECORDS) {
      this.options.log.error('audit queue full: record not written', {
        eventId: row.eventId,
        eventName: row.eventName,
      });
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.queue.push({ row, done: resolve });
      // A failing store must not hold API responses hostage: callers go on, the row stays queued.
      if (this.failing) resolve();
      this.kick(false);
    });
  }

  private kick(digest: boolean): void {
    if (this.writing !== undefined || this.closed) return;
    if (this.queue.length === 0 && !digest) return;
    this.writing = this.write(digest).finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0 && !this.failing) this.kick(false);
    });
  }

  private async write(forceDigest: boolean): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      if (batch.length > 0) {
        const stored = await this.options.repository.append(
          batch.map((item) => item.row),
          sealRecord,
        );
        this.sinceDigest += stored.length;
      }
      if (this.failing) {
        this.failing = false;
        this.options.log.info('audit trail writable again', { written: batch.length });
      }
      for (const item of batch) item.done();
      if (forceDigest || this.sinceDigest >= this.options.digestEvery) await this.writeDigest();
    } catch (error) {
      this.queue = [...batch, ...this.queue];
      if (!this.failing) {
        this.failing = true;
        this.options.log.error('audit trail write failed; retrying', {
          error: error instanceof Error ? error.message : String(error),
          queued: this.queue.length,
        });
      }
      for (const item of batch) item.done();
      this.retryTimer = setTimeout(() => this.kick(false), RETRY_MS);
      this.retryTimer.unref();
    }
  }

  private async writeDigest(): Promise<void> {
    const head = await this.options.repository.head();
    if (head === undefined || head.seq <= this.lastDigestSeq) return;
    const digest = this.options.signer.sign({
      firstSeq: this.lastDigestSeq + 1,
      lastSeq: head.seq,
      lastHash: head.hash,
    });
    await this.options.repository.append(
      [
        serviceEventRow(
          {
            name: 'AuditDigest',
            time: this.options.now(),
            details: {
              records: head.seq - this.lastDigestSeq,
              genesis: this.lastDigestSeq === 0 ? AUDIT_GENESIS_HASH : undefined,
            },
            additional: { digest },
          },
          this.options.identity,
        ),
      ],
      sealRecord,
    );
    // The next digest starts at the digest record itself, so digests are covered too.
    this.lastDigestSeq = head.seq;
    this.sinceDigest = 0;
  }
}
