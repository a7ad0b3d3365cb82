// Repository interfaces of the log store, the recording index and the audit trail. Drivers
// implement them; the compliance suite (test/storage/logs-compliance.ts) tests every driver.

import type {
  AuditRow,
  LogEventRecord,
  LogGroupRecord,
  LogStreamRecord,
  NewAuditRow,
  NewLogEvent,
  RecordingRecord,
  RecordingStatus,
} from './log-records.js';
import type { Page, PageRequest } from './records.js';

export interface LogEventQuery {
  readonly groupName: string;
  /** One stream (GetLogEvents) or several (FilterLogEvents); all streams when undefined. */
  readonly streamNames?: readonly string[];
  readonly streamNamePrefix?: string;
  /** Inclusive. */
  readonly startTime?: number;
  /** Exclusive, as CloudWatch Logs' endTime. */
  readonly endTime?: number;
  /** Case-sensitive substrings that must all occur in the message. */
  readonly terms?: readonly string[];
  /** Oldest first (default) or newest first. */
  readonly descending?: boolean;
}

export interface LogStreamFilter {
  readonly groupName: string;
  readonly namePrefix?: string;
  readonly orderBy: 'LogStreamName' | 'LastEventTime';
  readonly descending: boolean;
}

export interface LogRepository {
  /** False when the group exists. */
  createGroup(name: string, now: number): Promise<boolean>;
  getGroup(name: string): Promise<LogGroupRecord | undefined>;
  /** Deletes the group with its streams and events; false when it did not exist. */
  deleteGroup(name: string): Promise<boolean>;
  listGroups(namePrefix: string | undefined, page: PageRequest): Promise<Page<LogGroupRecord>>;
  /** False when the group does not exist. */
  setRetention(name: string, days: number | null): Promise<boolean>;
  /** Creates the stream unless it exists; false when the group does not exist. */
  ensureStream(groupName: string, streamName: string, now: number): Promise<boolean>;
  getStream(groupName: string, streamName: string): Promise<LogStreamRecord | undefined>;
  listStreams(filter: LogStreamFilter, page: PageRequest): Promise<Page<LogStreamRecord>>;
  /** Appends events in one transaction; false when the stream does not exist. */
  append(
    groupName: string,
    streamName: string,
    events: readonly NewLogEvent[],
    now: number,
  ): Promise<boolean>;
  /** Events by time then stream then ingestion order, keyset-paginated. */
  events(query: LogEventQuery, page: PageRequest): Promise<Page<LogEventRecord>>;
  /** Deletes events older than each group's retention at `now`; returns how many. */
  expireEvents(now: number): Promise<number>;
}

export interface RecordingRepository {
  insert(recording: RecordingRecord): Promise<void>;
  get(sessionId: string): Promise<RecordingRecord | undefined>;
  /** Records the end (or a size update) of a recording; false when it does not exist. */
  update(
    sessionId: string,
    change: {
      readonly status: RecordingStatus;
      readonly castBytes: number;
      readonly transcriptBytes: number;
      readonly endedAt: number | null;
    },
  ): Promise<boolean>;
  /** Not yet deleted recordings that started before `before`, oldest first. */
  listStartedBefore(before: number, limit: number): Promise<readonly RecordingRecord[]>;
  markDeleted(sessionId: string, now: number): Promise<boolean>;
}

/** Computes a record's hash from the previous one (audit-chain.ts); pure. */
export type AuditSealer = (prevHash: string, seq: number, record: string) => string;

export interface AuditFilter {
  readonly eventId?: string;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly username?: string;
  readonly accessKeyId?: string;
  readonly readOnly?: boolean;
  readonly resourceName?: string;
  /** Inclusive bounds on the event time. */
  readonly startTime?: number;
  readonly endTime?: number;
}

export interface AuditRepository {
  /**
   * Appends rows after the current head in one transaction: each gets the next position and
   * the hash `seal(previous hash, position, record)`. Racing appenders never fork the chain.
   */
  append(rows: readonly NewAuditRow[], seal: AuditSealer): Promise<readonly AuditRow[]>;
  /** The last row, or undefined for an empty trail. */
  head(): Promise<AuditRow | undefined>;
  /** Newest first. */
  lookup(filter: AuditFilter, page: PageRequest): Promise<Page<AuditRow>>;
  /** Rows from position `fromSeq` on, in chain order (verification and export). */
  scan(fromSeq: number, limit: number): Promise<readonly AuditRow[]>;
}
