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
