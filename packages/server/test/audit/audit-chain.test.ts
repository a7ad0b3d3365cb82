// The chain verifier (protocol's, used by `openssm audit verify`) finds an edited, a removed and
// a moved record and names it, and checks digest signatures — against vectors sealed here with
// the server's sealer and signer.

import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  AUDIT_GENESIS_HASH,
  AuditChainVerifier,
  auditDigestMessage,
  type ChainedAuditRecord,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import { sealRecord, sha256 } from '../../src/audit/audit-trail.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

function chain(count: number): ChainedAuditRecord[] {
  const rows: ChainedAuditRecord[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const eventTime = 1_795_719_693_000 + seq;
    const isDigest = seq === count;
    const eventName = isDigest ? 'AuditDigest' : `Op${String(seq)}`;
    const last = rows[rows.length - 1];
    const digest = isDigest
      ? {
          firstSeq: 1,
          lastSeq: seq - 1,
          lastHash: last!.hash,
          algorithm: 'Ed25519',
          keyFingerprint: 'k',
          signature: sign(
            null,
            auditDigestMessage({ firstSeq: 1, lastSeq: seq - 1, lastHash: last!.hash }),
            privateKey,
          ).toString('base64'),
        }
      : undefined;
    const record = JSON.stringify({
      eventID: `e${String(seq)}`,
      eventName,
      eventSource: 'ssm.amazonaws.com',
      eventTime: new Date(eventTime).toISOString(),
      ...(digest === undefined ? {} : { additionalEventData: { digest } }),
    });
    const hash = sealRecord(prevHash, seq, record);
    rows.push({
      seq,
      eventId: `e${String(seq)}`,
      eventName,
      eventSource: 'ssm.amazonaws.com',
      eventTime,
      record,
      prevHash,
      hash,
    });
    prevHash = hash;
  }
  return rows;
}

function check(rows: readonly ChainedAuditRecord[]) {
  const verifier = new AuditChainVerifier({
    sha256,
    verifySignature: (digest, message) =>
      verify(null, message, publicKey, Buffer.from(digest.signature, 'base64')),
  });
  for (const row of rows) verifier.push(row);
  return verifier.finish();
}

describe('AuditChainVerifier', () => {
  it('accepts an intact chain with a signed digest', () => {
    expect(check(chain(6))).toEqual({ records: 6, digests: 1, problems: [] });
  });

  it('names an edited record', () => {
    const rows = chain(6);
    rows[2] = { ...rows[2]!, record: rows[2]!.record.replace('Op3', 'Op9') };
    const problems = check(rows).problems;
    expect(problems.map((p) => [p.kind, p.seq, p.eventId])).toContainEqual(['edited', 3, 'e3']);
  });

  it('names where records were removed, and catches a renumbered deletion', () => {
    const rows = chain(6);
    const gap = [...rows.slice(0, 2), ...rows.slice(3)];
    expect(check(gap).problems[0]).toMatchObject({ kind: 'missing', seq: 3 });
    const renumbered = gap.map((row, index) => ({ ...row, seq: index + 1 }));
    const problems = check(renumbered).problems;
    expect(problems[0]).toMatchObject({ kind: 'moved', seq: 3, eventId: 'e4' });
  });

  it('names records whose order was swapped', () => {
    const rows = chain(6);
    const swapped = [...rows];
    swapped[1] = { ...rows[2]!, seq: 2 };
    swapped[2] = { ...rows[1]!, seq: 3 };
    const problems = check(swapped).problems;
    expect(problems.filter((p) => p.kind === 'moved').map((p) => p.eventId)).toEqual(['e3', 'e2']);
  });

  it('finds a rewritten history by its digest, and a forged signature', () => {
    const rows = chain(6);
    // Rewrite record 2 and re-seal everything after it: the links hold, the digest does not.
    let prevHash = rows[0]!.hash;
    const rewritten = rows.map((row) => {
      if (row.seq < 2 || row.eventName === 'AuditDigest') return row;
      const record = row.seq === 2 ? row.record.replace('Op2', 'Op7') : row.record;
      const hash = sealRecord(prevHash, row.seq, record);
      const out = { ...row, record, prevHash, hash };
      prevHash = hash;
      return out;
    });
    const digest = rewritten[5]!;
    rewritten[5] = { ...digest, prevHash, hash: sealRecord(prevHash, 6, digest.record) };
    expect(check(rewritten).problems.map((p) => p.kind)).toContain('digest-mismatch');
    const forged = chain(6);
    const last = forged[5]!;
    const record = last.record.replace(/"signature":"[^"]+"/, '"signature":"AAAA"');
    forged[5] = { ...last, record, hash: sealRecord(last.prevHash, 6, record) };
    expect(check(forged).problems.map((p) => p.kind)).toEqual(['bad-signature']);
  });
});
