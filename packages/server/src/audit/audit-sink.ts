// Where operation outcomes go for the audit trail. The audit issue writes them as hash-chained
// CloudTrail records; until then the server logs them (without request bodies, which may hold
// secrets).

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
}

export interface AuditSink {
  record(event: AuditEvent): void;
}

/** What an API dispatcher knows of a call when it ends. */
export interface ApiCallOutcome {
  readonly request: {
    readonly requestId: string;
    readonly sourceIp: string;
    readonly userAgent?: string;
  };
  readonly now: number;
  readonly eventSource: string;
  readonly eventName: string;
  readonly principalArn: string | undefined;
  readonly resource: string | undefined;
  readonly errorCode: string | undefined;
}

/** Records one API call, bounding what the caller controls (names, user agent). */
export function recordApiCall(audit: AuditSink, outcome: ApiCallOutcome): void {
  audit.record({
    time: outcome.now,
    requestId: outcome.request.requestId,
    eventSource: outcome.eventSource,
    eventName: outcome.eventName.slice(0, 128),
    principalArn: outcome.principalArn,
    sourceIp: outcome.request.sourceIp,
    userAgent: outcome.request.userAgent?.slice(0, 512),
    errorCode: outcome.errorCode,
    resource: outcome.resource,
  });
}
