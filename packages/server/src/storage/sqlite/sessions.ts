// Sessions in SQLite. Terminated and Failed are final: the status update is one conditional
// UPDATE, so a late "Connected" can never revive a session that another request ended.

import { assertPageLimit, decodeCursor, pageFromRows } from '../pagination.js';
import {
  ACTIVE_SESSION_STATUSES,
  type Page,
  type PageRequest,
  type SessionRecord,
  type SessionStatus,
} from '../records.js';
import type { SessionFilter, SessionRepository } from '../repositories.js';
import { promised, type SqliteDatabase } from './database.js';
import { WhereClause } from './where-clause.js';

const LISTING = 'sessions';
const FINAL_STATUSES: readonly SessionStatus[] = ['Terminated', 'Failed'];

interface SessionRow {
  readonly session_id: string;
  readonly target: string;
  readonly document_name: string;
  readonly owner: string;
  readonly reason: string;
  readonly status: SessionStatus;
  readonly details: string;
  readonly parameters: string;
  readonly started_at: number;
  readonly ended_at: number | null;
}

export class SqliteSessionRepository implements SessionRepository {
  private readonly insertSession;
  private readonly selectSession;
  private readonly updateSessionStatus;

  constructor(private readonly db: SqliteDatabase) {
    this.insertSession = db.prepare(
      `INSERT INTO sessions (session_id, target, document_name, owner, reason, status, details,
         parameters, started_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectSession = db.prepare('SELECT * FROM sessions WHERE session_id = ?');
    // Parameters: status, details (NULL keeps the current ones), final flag, now, session id.
    this.updateSessionStatus = db.prepare(
      `UPDATE sessions SET status = ?, details = COALESCE(?, details),
         ended_at = CASE WHEN ? = 1 THEN ? ELSE ended_at END
       WHERE session_id = ? AND status NOT IN ('Terminated', 'Failed')
       RETURNING *`,
    );
  }

  insert(session: SessionRecord): Promise<void> {
    return promised(() => {
      this.insertSession.run(
        session.sessionId,
        session.target,
        session.documentName,
        session.owner,
        session.reason,
        session.status,
        session.details,
        JSON.stringify(session.parameters),
        session.startedAt,
        session.endedAt,
      );
    });
  }

  get(sessionId: string): Promise<SessionRecord | undefined> {
    return promised(() => {
      const row = this.selectSession.get(sessionId) as SessionRow | undefined;
      return row && toRecord(row);
    });
  }

  list(filter: SessionFilter, page: PageRequest): Promise<Page<SessionRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause()
        .in('status', filter.state === 'Active' ? ACTIVE_SESSION_STATUSES : FINAL_STATUSES)
        .equals('target', filter.target)
        .equals('owner', filter.owner)
        .equals('status', filter.status)
        .equals('session_id', filter.sessionId);
      // As DescribeSessions' InvokedAfter/InvokedBefore: on or after, and strictly before.
      if (filter.startedAfter !== undefined) where.and('started_at >= ?', filter.startedAfter);
      if (filter.startedBefore !== undefined) where.and('started_at < ?', filter.startedBefore);
      if (page.cursor !== undefined) {
        const [startedAt, sessionId] = decodeCursor(LISTING, page.cursor, ['number', 'string']);
        where.and(
          '(started_at < ? OR (started_at = ? AND session_id > ?))',
          startedAt,
          startedAt,
          sessionId,
        );
      }
      const rows = this.db
        .prepare(
          `SELECT * FROM sessions ${where.toString()}
           ORDER BY started_at DESC, session_id LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as SessionRow[];
      return pageFromRows(rows.map(toRecord), page.limit, LISTING, (session) => [
        session.startedAt,
        session.sessionId,
      ]);
    });
  }

  updateStatus(
    sessionId: string,
    status: SessionStatus,
    now: number,
    details?: string,
  ): Promise<SessionRecord | undefined> {
    return promised(() => {
      const final = FINAL_STATUSES.includes(status) ? 1 : 0;
      const row = this.updateSessionStatus.get(status, details ?? null, final, now, sessionId) as
        SessionRow | undefined;
      return row && toRecord(row);
    });
  }
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    sessionId: row.session_id,
    target: row.target,
    documentName: row.document_name,
    owner: row.owner,
    reason: row.reason,
    status: row.status,
    details: row.details,
    // Written by insert() from the record's own value, so it parses back to the same shape.
    parameters: JSON.parse(row.parameters) as SessionRecord['parameters'],
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}
