// The index of session recordings in SQLite (the bytes live in the object store).

import type { RecordingRecord, RecordingStatus } from '../log-records.js';
import type { RecordingRepository } from '../log-repositories.js';
import { promised, type SqliteDatabase } from './database.js';

interface RecordingRow {
  readonly session_id: string;
  readonly target: string;
  readonly owner: string;
  readonly bucket: string;
  readonly key_prefix: string;
  readonly input_recorded: number;
  readonly status: RecordingStatus;
  readonly cast_bytes: number;
  readonly transcript_bytes: number;
  readonly started_at: number;
  readonly ended_at: number | null;
  readonly deleted_at: number | null;
}

export class SqliteRecordingRepository implements RecordingRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(recording: RecordingRecord): Promise<void> {
    return promised(() => {
      this.db
        .prepare(
          `INSERT INTO session_recordings (session_id, target, owner, bucket, key_prefix,
             input_recorded, status, cast_bytes, transcript_bytes, started_at, ended_at, deleted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          recording.sessionId,
          recording.target,
          recording.owner,
          recording.bucket,
          recording.keyPrefix,
          recording.inputRecorded ? 1 : 0,
          recording.status,
          recording.castBytes,
          recording.transcriptBytes,
          recording.startedAt,
          recording.endedAt,
          recording.deletedAt,
        );
    });
  }

  get(sessionId: string): Promise<RecordingRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM session_recordings WHERE session_id = ?')
        .get(sessionId) as RecordingRow | undefined;
      return row && toRecord(row);
    });
  }

  update(
    sessionId: string,
    change: {
      readonly status: RecordingStatus;
      readonly castBytes: number;
      readonly transcriptBytes: number;
      readonly endedAt: number | null;
    },
  ): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `UPDATE session_recordings SET status = ?, cast_bytes = ?, transcript_bytes = ?,
               ended_at = ? WHERE session_id = ? AND status <> 'Deleted'`,
          )
          .run(change.status, change.castBytes, change.transcriptBytes, change.endedAt, sessionId)
          .changes === 1,
    );
  }

  listStartedBefore(before: number, limit: number): Promise<readonly RecordingRecord[]> {
    return promised(() =>
      (
        this.db
          .prepare(
            `SELECT * FROM session_recordings WHERE status <> 'Deleted' AND started_at < ?
             ORDER BY started_at, session_id LIMIT ?`,
          )
          .all(before, limit) as RecordingRow[]
      ).map(toRecord),
    );
  }

  markDeleted(sessionId: string, now: number): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `UPDATE session_recordings SET status = 'Deleted', deleted_at = ?
             WHERE session_id = ? AND status <> 'Deleted'`,
          )
          .run(now, sessionId).changes === 1,
    );
  }
}

function toRecord(row: RecordingRow): RecordingRecord {
  return {
    sessionId: row.session_id,
    target: row.target,
    owner: row.owner,
    bucket: row.bucket,
    keyPrefix: row.key_prefix,
    inputRecorded: row.input_recorded === 1,
    status: row.status,
    castBytes: row.cast_bytes,
    transcriptBytes: row.transcript_bytes,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    deletedAt: row.deleted_at,
  };
}
