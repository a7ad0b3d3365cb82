// ExportAuditTrail (OpenSSM's own API): the audit trail as stored — each record's exact text,
// position and hashes — in chain order, with the digest key, so `openssm audit verify`
// checks the chain with its own code and `openssm audit export` streams it. Authorized as
// `openssm:ExportAuditTrail`.

import { defineOperation } from '../operation.js';
import { reader } from '../input.js';

export const exportAuditTrail = defineOperation({
  name: 'ExportAuditTrail',
  auth: 'sigv4',
  action: 'openssm:ExportAuditTrail',
  parse(body) {
    const input = reader(body);
    return {
      fromSeq: input.has('FromSeq') ? input.integer('FromSeq', 1, Number.MAX_SAFE_INTEGER) : 1,
      maxRecords: input.has('MaxRecords') ? input.integer('MaxRecords', 1, 1000) : 1000,
    };
  },
  resource: () => '*',
  async handle({ fromSeq, maxRecords }, { services }) {
    await services.audit.flush();
    const rows = await services.audit.scan(fromSeq, maxRecords);
    const head = await services.audit.head();
    const last = rows[rows.length - 1];
    return {
      Records: rows.map((row) => ({
        Seq: row.seq,
        EventId: row.eventId,
        EventName: row.eventName,
        EventSource: row.eventSource,
        EventTime: row.eventTime,
        Record: row.record,
        PrevHash: row.prevHash,
        Hash: row.hash,
      })),
      NextSeq: last === undefined ? fromSeq : last.seq + 1,
      HeadSeq: head?.seq ?? 0,
      PublicKey: services.audit.publicKeyPem,
      KeyFingerprint: services.audit.keyFingerprint,
    };
  },
});
