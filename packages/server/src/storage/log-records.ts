// Records of the log store (CloudWatch Logs groups, streams and events), of session recordings
// and of the audit trail, as the repositories hand them to services. Times are epoch ms.

export interface LogGroupRecord {
  readonly name: string;
  readonly createdAt: number;
  /** Days events are kept; null keeps them forever. */
  readonly retentionDays: number | null;
  readonly storedBytes: number;
}

export interface LogStreamRecord {
  readonly groupName: string;
  readonly name: string;
  readonly createdAt: number;
  readonly firstEventAt: number | null;
  readonly lastEventAt: number | null;
  readonly lastIngestionAt: number | null;
  readonly storedBytes: number;
}

export interface NewLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

export interface LogEventRecord extends NewLogEvent {
  readonly groupName: string;
  readonly streamName: string;
  /** Ingestion order within the stream, from 1. */
  readonly seq: number;
  readonly ingestionTime: number;
}

export type RecordingStatus = 'Recording' | 'Complete' | 'Incomplete' | 'Deleted';

/** Where one session's recording lives in the object store, and how far it got. */
export interface RecordingRecord {
  readonly sessionId: string;
  readonly target: string;
  readonly owner: string;
  readonly bucket: string;
  /** Keys are `<keyPrefix><sessionId>.cast` and `<keyPrefix><sessionId>.log`. */
  readonly keyPrefix: string;
  readonly inputRecorded: boolean;
  readonly status: RecordingStatus;
  readonly castBytes: number;
  readonly transcriptBytes: number;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly deletedAt: number | null;
}

/** One audit record as stored: the exact text that was hashed, and its place in the chain. */
export interface AuditRow {
  /** Position in the chain, from 1, without gaps. */
  readonly seq: number;
  readonly eventId: string;
  readonly eventTime: number;
  readonly eventName: string;
  readonly eventSource: string;
  readonly username: string;
  readonly accessKeyId: string;
  readonly readOnly: boolean;
  readonly resourceNames: readonly string[];
  /** The CloudTrail-format JSON record. */
  readonly record: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** What a service appends; the repository numbers it and the sealer hashes it. */
export type NewAuditRow = Omit<AuditRow, 'seq' | 'prevHash' | 'hash'>;
