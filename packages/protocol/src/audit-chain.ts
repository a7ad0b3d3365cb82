// The audit trail's hash chain and its signed digests (docs/audit-events.md), shared by the
// server (which seals records) and `openssm audit verify` (which checks an exported trail with
// code that does not trust the server's). Each record's hash is SHA-256 over the previous hash,
// its position and its exact text, so an edited, removed or moved record breaks the chain where
// it happened; a digest record signs the hash of the chain up to it with the server's key.

import type { Sha256 } from './agent-message.js';
import { encodeUtf8 } from './text.js';

/** The hash before record 1. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
/** The eventName of digest records. */
export const AUDIT_DIGEST_EVENT = 'AuditDigest';
export const AUDIT_DIGEST_ALGORITHM = 'Ed25519';

/** One stored record as the trail exports it (the server's audit_records row). */
export interface ChainedAuditRecord {
  readonly seq: number;
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: number;
  /** The CloudTrail-format JSON text, exactly as hashed. */
  readonly record: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** What a digest record carries in `additionalEventData.digest`. */
export interface AuditDigest {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly algorithm: string;
  /** SHA-256 (hex) of the signing key's public key (SPKI DER). */
  readonly keyFingerprint: string;
  /** Base64 signature over auditDigestMessage(). */
  readonly signature: string;
}

export function sealAuditRecord(sha256: Sha256, prevHash: string, seq: number, record: string) {
  return toHex(sha256(encodeUtf8(`${prevHash}\n${String(seq)}\n${record}`)));
}

/** The bytes a digest signature covers. */
export function auditDigestMessage(digest: Pick<AuditDigest, 'firstSeq' | 'lastSeq' | 'lastHash'>) {
  return encodeUtf8(
    `openssm-audit-digest-v1\n${String(digest.firstSeq)}\n${String(digest.lastSeq)}\n${digest.lastHash}`,
  );
}

export type AuditProblemKind =
  | 'edited'
  | 'moved'
  | 'missing'
  | 'broken-link'
  | 'index-mismatch'
  | 'digest-mismatch'
  | 'bad-signature';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The position the problem was found at. */
  readonly seq: number;
  /** The record found there ('' for missing positions). */
  readonly eventId: string;
  readonly message: string;
}

export interface AuditVerifierOptions {
  readonly sha256: Sha256;
  /** Checks a digest signature; undefined skips signature checks (reported by the caller). */
  readonly verifySignature?: (digest: AuditDigest, message: Uint8Array) => boolean;
  /** Position the verified range starts at (default 1); its prevHash is then taken on trust. */
  readonly fromSeq?: number;
  /** How far a moved record is searched for, in positions either way. */
  readonly moveSearch?: number;
  /** Stop collecting after this many problems. */
  readonly maxProblems?: number;
}

export interface AuditVerification {
  readonly records: number;
  readonly digests: number;
  readonly problems: readonly AuditProblem[];
}

/**
 * Verifies records fed in position order. Each record must (1) hash to its stored hash from
 * its stored previous hash and its position — else it was edited, or moved from the position
 * it hashes at; (2) link to the stored hash of the record before it — else something between
 * was removed or rewritten; (3) sit at the next position — else positions are missing; (4)
 * agree with the lookup columns stored beside it. Digests must match the chain and be signed.
 */
export class AuditChainVerifier {
  private expectedSeq: number;
  private previous: { seq: number; hash: string; eventId: string } | undefined;
  private readonly hashes = new Map<number, string>();
  private readonly problems: AuditProblem[] = [];
  private records = 0;
  private digests = 0;

  constructor(private readonly options: AuditVerifierOptions) {
    this.expectedSeq = options.fromSeq ?? 1;
  }

  push(row: ChainedAuditRecord): void {
    this.records += 1;
    if (row.seq !== this.expectedSeq) {
      if (row.seq > this.expectedSeq) {
        this.report(
          'missing',
          this.expectedSeq,
          '',
          `records at positions ${String(this.expectedSeq)}–${String(row.seq - 1)} are missing (before ${row.eventId})`,
        );
      } else {
        this.report(
          'moved',
          row.seq,
          row.eventId,
          `record ${row.eventId} appears again at position ${String(row.seq)}`,
        );
      }
    }
    const sealed = sealAuditRecord(this.options.sha256, row.prevHash, row.seq, row.record);
    if (sealed !== row.hash) {
      const origin = this.findOrigin(row);
      if (origin !== undefined) {
        this.report(
          'moved',
          row.seq,
          row.eventId,
          `record ${row.eventId} at position ${String(row.seq)} was sealed at position ${String(origin)}: the trail was reordered`,
        );
      } else {
        this.report(
          'edited',
          row.seq,
          row.eventId,
          `record ${row.eventId} at position ${String(row.seq)} was changed after it was written (its hash does not match its content)`,
        );
      }
    } else if (
      this.previous !== undefined &&
      this.previous.seq === row.seq - 1 &&
      row.prevHash !== this.previous.hash
    ) {
      this.report(
        'broken-link',
        row.seq,
        row.eventId,
        `record ${row.eventId} at position ${String(row.seq)} does not follow record ${this.previous.eventId}: a record before it was removed or rewritten`,
      );
    }
    this.checkColumns(row);
    this.checkDigest(row);
    this.hashes.set(row.seq, row.hash);
    this.previous = { seq: row.seq, hash: row.hash, eventId: row.eventId };
    this.expectedSeq = Math.max(this.expectedSeq, row.seq) + 1;
  }

  finish(): AuditVerification {
    return { records: this.records, digests: this.digests, problems: this.problems };
  }

  private findOrigin(row: ChainedAuditRecord): number | undefined {
    const reach = this.options.moveSearch ?? 64;
    for (let delta = 1; delta <= reach; delta++) {
      for (const seq of [row.seq - delta, row.seq + delta]) {
        if (seq < 1) continue;
        if (sealAuditRecord(this.options.sha256, row.prevHash, seq, row.record) === row.hash) {
          return seq;
        }
      }
    }
    return undefined;
  }

  private checkColumns(row: ChainedAuditRecord): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(row.record) as Record<string, unknown>;
    } catch {
      this.report(
        'edited',
        row.seq,
        row.eventId,
        `record at position ${String(row.seq)} is not JSON`,
      );
      return;
    }
    const time = typeof parsed['eventTime'] === 'string' ? Date.parse(parsed['eventTime']) : NaN;
    if (
      parsed['eventID'] !== row.eventId ||
      parsed['eventName'] !== row.eventName ||
      parsed['eventSource'] !== row.eventSource ||
      time !== row.eventTime
    ) {
      this.report(
        'index-mismatch',
        row.seq,
        row.eventId,
        `the lookup columns of record ${row.eventId} at position ${String(row.seq)} disagree with the record`,
      );
    }
  }

  private checkDigest(row: ChainedAuditRecord): void {
    if (row.eventName !== AUDIT_DIGEST_EVENT) return;
    this.digests += 1;
    const digest = readDigest(row.record);
    if (digest === undefined) {
      this.report(
        'digest-mismatch',
        row.seq,
        row.eventId,
        `digest record ${row.eventId} is unreadable`,
      );
      return;
    }
    const covered = this.hashes.get(digest.lastSeq);
    if (covered !== undefined && covered !== digest.lastHash) {
      this.report(
        'digest-mismatch',
        row.seq,
        row.eventId,
        `digest ${row.eventId} signed position ${String(digest.lastSeq)} with another hash: records ${String(digest.firstSeq)}–${String(digest.lastSeq)} were rewritten`,
      );
    }
    const verify = this.options.verifySignature;
    if (verify !== undefined && !verify(digest, auditDigestMessage(digest))) {
      this.report(
        'bad-signature',
        row.seq,
        row.eventId,
        `digest ${row.eventId} at position ${String(row.seq)} is not signed by the trail's key`,
      );
    }
  }

  private report(kind: AuditProblemKind, seq: number, eventId: string, message: string): void {
    if (this.problems.length < (this.options.maxProblems ?? 100)) {
      this.problems.push({ kind, seq, eventId, message });
    }
  }
}

/** The digest a digest record carries, or undefined when it is not well formed. */
export function readDigest(record: string): AuditDigest | undefined {
  try {
    const parsed = JSON.parse(record) as { additionalEventData?: { digest?: unknown } };
    const digest = parsed.additionalEventData?.digest as Partial<AuditDigest> | undefined;
    if (
      digest === undefined ||
      typeof digest.firstSeq !== 'number' ||
      typeof digest.lastSeq !== 'number' ||
      typeof digest.lastHash !== 'string' ||
      typeof digest.algorithm !== 'string' ||
      typeof digest.keyFingerprint !== 'string' ||
      typeof digest.signature !== 'string'
    ) {
      return undefined;
    }
    return digest as AuditDigest;
  } catch {
    return undefined;
  }
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
