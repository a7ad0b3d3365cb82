// `openssm audit`: query the audit trail (CloudTrail LookupEvents), verify its hash chain and
// signed digests with this CLI's own code (protocol's AuditChainVerifier over the records as
// stored, from ExportAuditTrail), and export it as JSON lines to stdout, a file or a webhook.

import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { AuditChainVerifier, type AuditDigest, type ChainedAuditRecord } from '@openssm/protocol';
import { CLOUDTRAIL, OPENSSM, asText, type JsonCall } from '../api/json-api.js';
import { CliError, UsageError } from '../errors.js';
import { formatTable } from '../output/table.js';
import type { Command, CommandContext, OptionValues } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

const HELP = `Usage: openssm audit [--event-name NAME] [--user NAME] [--since TIME] [--until TIME]
                     [--max N] [--json]
       openssm audit verify [--public-key FILE]
       openssm audit export [--follow] [--out FILE] [--webhook URL] [--from-seq N]

(no subcommand)  the newest audit events first (CloudTrail LookupEvents). TIME is an ISO date
                 or an age such as 30m, 2h, 7d. --json prints the full CloudTrail records.
verify           checks every record's hash, the chain's order and every signed digest; names
                 each record that was edited, removed or moved. --public-key pins the digest
                 key (PEM); without it the key the server presents is used, and said so.
export           writes every record as one JSON line (CloudTrail format) to stdout, --out FILE
                 (appended) and/or --webhook URL (POSTed as application/x-ndjson batches).
                 --follow keeps going as records arrive.

Exit status: 0; for verify 4 when the trail fails verification; 1 on API errors, 2 on usage.

${GLOBAL_HELP}`;

/** verify's exit status for a trail that does not verify, so scripts and cron can alert. */
export const TAMPERED_EXIT_CODE = 4;
const EXPORT_PAGE = 1000;
const FOLLOW_POLL_MS = 2000;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'query, verify or export the audit trail',
  help: HELP,
  options: {
    'event-name': { type: 'string' },
    user: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    max: { type: 'string' },
    json: { type: 'boolean' },
    'public-key': { type: 'string' },
    follow: { type: 'boolean' },
    out: { type: 'string' },
    webhook: { type: 'string' },
    'from-seq': { type: 'string' },
  },
  positionals: { min: 0, max: 1, names: 'a subcommand (verify, export)' },
  async run(context, values, positionals) {
    switch (positionals[0]) {
      case undefined:
        return query(context, values);
      case 'verify':
        return verifyTrail(context, values);
      case 'export':
        return exportTrail(context, values);
      default:
        throw new UsageError(`unknown audit subcommand "${positionals[0]}"`);
    }
  },
};

function text(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

/** An ISO date, or an age (`90s`, `30m`, `2h`, `7d`) before now; epoch seconds. */
export function parseTime(value: string, now: number): number {
  const age = /^(\d+)([smhd])$/.exec(value);
  if (age !== null) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[age[2] as 's' | 'm' | 'h' | 'd'];
    return now / 1000 - Number(age[1]) * unit;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(`not a time: ${value} (use an ISO date or 30m, 2h, 7d)`);
  return ms / 1000;
}

interface LookedUpEvent {
  EventId?: string;
  EventName?: string;
  EventTime?: number;
  Username?: string;
  EventSource?: string;
  CloudTrailEvent?: string;
}

async function query(context: CommandContext, values: OptionValues): Promise<number> {
  const eventName = text(values, 'event-name');
  const user = text(values, 'user');
  const max = Number(text(values, 'max') ?? '50');
  if (!Number.isInteger(max) || max < 1) throw new UsageError('--max wants a positive number');
  const now = Date.now();
  const since = text(values, 'since');
  const until = text(values, 'until');
  // LookupEvents takes one attribute: the event name goes to the server, the user is matched here.
  const attribute =
    eventName !== undefined
      ? { AttributeKey: 'EventName', AttributeValue: eventName }
      : user !== undefined
        ? { AttributeKey: 'Username', AttributeValue: user }
        : undefined;
  const events: LookedUpEvent[] = [];
  let token: string | undefined;
  do {
    const answer = await context.api().json(CLOUDTRAIL, 'LookupEvents', {
      ...(attribute === undefined ? {} : { LookupAttributes: [attribute] }),
      ...(since === undefined ? {} : { StartTime: parseTime(since, now) }),
      ...(until === undefined ? {} : { EndTime: parseTime(until, now) }),
      MaxResults: 50,
      ...(token === undefined ? {} : { NextToken: token }),
    });
    for (const event of (answer['Events'] ?? []) as LookedUpEvent[]) {
      if (user === undefined || event.Username === user) events.push(event);
    }
    token = typeof answer['NextToken'] === 'string' ? answer['NextToken'] : undefined;
  } while (token !== undefined && events.length < max);
  const shown = events.slice(0, max);
  if (values['json'] === true) {
    for (const event of shown) context.host.stdout.write(`${event.CloudTrailEvent ?? '{}'}\n`);
    return 0;
  }
  if (shown.length === 0) {
    context.host.stdout.write('No audit events.\n');
    return 0;
  }
  const rows = shown.map((event) => {
    const record = JSON.parse(event.CloudTrailEvent ?? '{}') as {
      errorCode?: string;
      sourceIPAddress?: string;
      userIdentity?: { arn?: string };
    };
    return { event, record };
  });
  context.host.stdout.write(
    formatTable(
      [
        { header: 'Time', value: (r) => new Date((r.event.EventTime ?? 0) * 1000).toISOString() },
        { header: 'Event', value: (r) => r.event.EventName },
        { header: 'User', value: (r) => r.record.userIdentity?.arn ?? r.event.Username },
        { header: 'Source', value: (r) => r.record.sourceIPAddress },
        { header: 'Error', value: (r) => r.record.errorCode },
        { header: 'EventId', value: (r) => r.event.EventId },
      ],
      rows,
    ),
  );
  return 0;
}

interface ExportedRecord {
  Seq: number;
  EventId: string;
  EventName: string;
  EventSource: string;
  EventTime: number;
  Record: string;
  PrevHash: string;
  Hash: string;
}

interface ExportPage {
  readonly records: ChainedAuditRecord[];
  readonly nextSeq: number;
  readonly headSeq: number;
  readonly publicKey: string;
  readonly fingerprint: string;
}

async function exportPage(json: JsonCall, fromSeq: number): Promise<ExportPage> {
  const answer = await json(OPENSSM, 'ExportAuditTrail', {
    FromSeq: fromSeq,
    MaxRecords: EXPORT_PAGE,
  });
  const records = ((answer['Records'] ?? []) as ExportedRecord[]).map((row) => ({
    seq: row.Seq,
    eventId: row.EventId,
    eventName: row.EventName,
    eventSource: row.EventSource,
    eventTime: row.EventTime,
    record: row.Record,
    prevHash: row.PrevHash,
    hash: row.Hash,
  }));
  return {
    records,
    nextSeq: Number(answer['NextSeq'] ?? fromSeq),
    headSeq: Number(answer['HeadSeq'] ?? 0),
    publicKey: asText(answer['PublicKey'], ''),
    fingerprint: asText(answer['KeyFingerprint'], ''),
  };
}

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

async function verifyTrail(context: CommandContext, values: OptionValues): Promise<number> {
  const json = context.api().json;
  const pinned = text(values, 'public-key');
  let keyPem = pinned === undefined ? undefined : await readFile(pinned, 'utf8');
  let served = '';
  let verifier: AuditChainVerifier | undefined;
  let from = 1;
  for (;;) {
    const page = await exportPage(json, from);
    if (verifier === undefined) {
      served = page.fingerprint;
      keyPem ??= page.publicKey;
      const key = createPublicKey(keyPem);
      const fingerprint = createHash('sha256')
        .update(key.export({ type: 'spki', format: 'der' }))
        .digest('hex');
      verifier = new AuditChainVerifier({
        sha256,
        verifySignature: (digest: AuditDigest, message: Uint8Array) =>
          digest.keyFingerprint === fingerprint &&
          verifySignature(null, message, key, Buffer.from(digest.signature, 'base64')),
      });
    }
    for (const record of page.records) verifier.push(record);
    if (page.records.length === 0 || page.nextSeq > page.headSeq) break;
    from = page.nextSeq;
  }
  const result = verifier.finish();
  const out = context.host.stdout;
  if (pinned === undefined) {
    out.write(`Digest key: the server's (SHA-256 ${served}); pin it with --public-key.\n`);
  }
  if (result.problems.length === 0) {
    out.write(
      `OK: ${String(result.records)} records, ${String(result.digests)} signed digests; the chain is intact.\n`,
    );
    return 0;
  }
  for (const problem of result.problems) {
    out.write(`FAIL position ${String(problem.seq)} ${problem.eventId}: ${problem.message}\n`);
  }
  throw new CliError(
    `the audit trail failed verification: ${String(result.problems.length)} problem(s) in ${String(result.records)} records`,
    TAMPERED_EXIT_CODE,
  );
}

async function exportTrail(context: CommandContext, values: OptionValues): Promise<number> {
  const json = context.api().json;
  const out = text(values, 'out');
  const webhook = text(values, 'webhook');
  const follow = values['follow'] === true;
  let from = Number(text(values, 'from-seq') ?? '1');
  if (!Number.isInteger(from) || from < 1) throw new UsageError('--from-seq wants a position ≥ 1');
  for (;;) {
    const page = await exportPage(json, from);
    if (page.records.length > 0) {
      const lines = page.records.map((record) => `${record.record}\n`).join('');
      if (out === undefined && webhook === undefined) context.host.stdout.write(lines);
      if (out !== undefined) await appendFile(out, lines, { mode: 0o600 });
      if (webhook !== undefined) await postWebhook(webhook, lines);
      from = page.nextSeq;
      continue;
    }
    if (!follow) return 0;
    await new Promise((done) => setTimeout(done, FOLLOW_POLL_MS));
  }
}

/** POSTs a batch; retries (1 s, 2 s, 4 s …, at most 30 s apart) until the receiver takes it. */
async function postWebhook(url: string, lines: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: lines,
      });
      if (response.ok) return;
    } catch {
      // Network failure: retried below.
    }
    await new Promise((done) => setTimeout(done, Math.min(30_000, 1000 * 2 ** attempt)));
  }
}
