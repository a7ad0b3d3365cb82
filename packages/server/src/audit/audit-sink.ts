// Where operation outcomes go for the audit trail (audit-trail.ts writes them as hash-chained
// CloudTrail records). Both API dispatchers call recordApiCall for every call, allowed or
// denied; what the caller sent and got back is redacted before it is recorded.

import type { Principal } from '../storage/records.js';

export interface AuditEvent {
  readonly time: number;
  readonly requestId: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly principalArn: string | undefined;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  /** The AWS error code when the call failed (including AccessDenied). */
  readonly errorCode: string | undefined;
  readonly resource: string | undefined;
  /** The authenticated caller, when authentication succeeded. */
  readonly principal?: Principal | undefined;
  /** The access key the request was signed with (also for failed authentication). */
  readonly accessKeyId?: string | undefined;
  readonly errorMessage?: string | undefined;
  /** Already redacted (redact.ts). */
  readonly requestParameters?: unknown;
  readonly responseElements?: unknown;
}

export interface AuditSink {
  /**
   * Takes one event. The audit trail returns a promise that settles once the record is durable
   * (or handed to its retrying writer); it never rejects.
   */
  record(event: AuditEvent): unknown;
}

/** What an API dispatcher knows of a call when it ends. */
export interface ApiCallOutcome {
  readonly request: {
    readonly requestId: string;
    readonly sourceIp: string;
    readonly userAgent?: string;
    readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  };
  readonly now: number;
  readonly eventSource: string;
  readonly eventName: string;
  readonly principalArn: string | undefined;
  readonly resource: string | undefined;
  readonly errorCode: string | undefined;
  readonly principal?: Principal | undefined;
  readonly errorMessage?: string | undefined;
  readonly requestParameters?: unknown;
  readonly responseElements?: unknown;
}

/** Records one API call, bounding what the caller controls (names, user agent). */
export async function recordApiCall(audit: AuditSink, outcome: ApiCallOutcome): Promise<void> {
  const written = audit.record({
    time: outcome.now,
    requestId: outcome.request.requestId,
    eventSource: outcome.eventSource,
    eventName: outcome.eventName.slice(0, 128),
    principalArn: outcome.principalArn,
    sourceIp: outcome.request.sourceIp,
    userAgent: outcome.request.userAgent?.slice(0, 512),
    errorCode: outcome.errorCode,
    resource: outcome.resource,
    principal: outcome.principal,
    accessKeyId: accessKeyIdOf(outcome.request.headers),
    errorMessage: outcome.errorMessage?.slice(0, 1024),
    requestParameters: outcome.requestParameters,
    responseElements: outcome.responseElements,
  });
  if (written instanceof Promise) await written;
}

/** The key id from `Credential=AKIA…/date/region/service/aws4_request`; never the signature. */
function accessKeyIdOf(
  headers: Readonly<Record<string, string | string[] | undefined>> | undefined,
): string | undefined {
  const value = headers?.['authorization'];
  const text = Array.isArray(value) ? value[0] : value;
  const match = /Credential=([A-Za-z0-9]{1,128})\//.exec(text ?? '');
  return match?.[1];
}
