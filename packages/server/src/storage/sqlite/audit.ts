// The audit trail in SQLite: append-only rows, each sealed with the hash of the one before. The
// append is one IMMEDIATE transaction (write lock first), so two writers — two processes on one
// file — cannot both extend the same head and fork the chain.

import { AUDIT_GENESIS_HASH } from '@openssm/protocol';
import { assertPageLimit, decodeCursor, pageFromRows } from '../pagination.js';
import type { AuditRow, NewAuditRow } from '../log-records.js';
import type { AuditFilter, AuditRepository, AuditSealer } from '../log-repositories.js';
import type { Page, PageRequest } from '../records.js';
import { promised, type SqliteDatabase } from './database.js';
import { WhereClause } from './where-clause.js';

interface AuditDbRow {
  readonly seq: number;
  readonly event_id: string;
  readonly event_time: number;
  readonly event_name: string;
  readonly event_source: string;
  readonly username: string;
  readonly access_key_id: string;
  readonly read_only: number;
  readonly resource_names: string;
  readonly record: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export class SqliteAuditRepository implements AuditRepository {
  constructor(private readonly db: SqliteDatabase) {}

  append(rows: readonly NewAuditRow[], seal: AuditSealer): Promise<readonly AuditRow[]> {
    return promised(() =>
      this.db
        .transaction(() => {
          const head = this.db
            .prepare('SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1')
            .get() as { seq: number; hash: string } | undefined;
          let seq = head?.seq ?? 0;
          let prevHash = head?.hash ?? AUDIT_GENESIS_HASH;
          const insert = this.db.prepare(
            `INSERT INTO audit_records (seq, event_id, event_time, event_name, event_source,
               username, access_key_id, read_only, resource_names, record, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          );
          return rows.map((row) => {
            seq += 1;
            const hash = seal(prevHash, seq, row.record);
            const stored: AuditRow = { ...row, seq, prevHash, hash };
            insert.run(
              seq,
              row.eventId,
              row.eventTime,
              row.eventName,
              row.eventSource,
              row.username,
              row.accessKeyId,
              row.readOnly ? 1 : 0,
              JSON.stringify(row.resourceNames),
              row.record,
              prevHash,
              hash,
            );
            prevHash = hash;
            return stored;
          });
        })
        .immediate(),
    );
  }

  head(): Promise<AuditRow | undefined> {
    return promised(() => {
      const row = this.db.prepare('SELECT * FROM audit_records ORDER BY seq DESC LIMIT 1').get() as
        AuditDbRow | undefined;
      return row && toRow(row);
    });
  }

  lookup(filter: AuditFilter, page: PageRequest): Promise<Page<AuditRow>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause()
        .equals('event_id', filter.eventId)
        .equals('event_name', filter.eventName)
        .equals('event_source', filter.eventSource)
        .equals('username', filter.username)
        .equals('access_key_id', filter.accessKeyId);
      if (filter.readOnly !== undefined) where.and('read_only = ?', filter.readOnly ? 1 : 0);
      if (filter.resourceName !== undefined) {
        where.and(
          'EXISTS (SELECT 1 FROM json_each(resource_names) WHERE value = ?)',
          filter.resourceName,
        );
      }
      if (filter.startTime !== undefined) where.and('event_time >= ?', filter.startTime);
      if (filter.endTime !== undefined) where.and('event_time <= ?', filter.endTime);
      if (page.cursor !== undefined) {
        const [time, seq] = decodeCursor('audit', page.cursor, ['number', 'number']);
        where.and('(event_time < ? OR (event_time = ? AND seq < ?))', time, time, seq);
      }
      const rows = this.db
        .prepare(
          `SELECT * FROM audit_records ${where.toString()}
           ORDER BY event_time DESC, seq DESC LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as AuditDbRow[];
      return pageFromRows(rows.map(toRow), page.limit, 'audit', (r) => [r.eventTime, r.seq]);
    });
  }

  scan(fromSeq: number, limit: number): Promise<readonly AuditRow[]> {
    return promised(() =>
      (
        this.db
          .prepare('SELECT * FROM audit_records WHERE seq >= ? ORDER BY seq LIMIT ?')
          .all(fromSeq, limit) as AuditDbRow[]
      ).map(toRow),
    );
  }
}

function toRow(row: AuditDbRow): AuditRow {
  return {
    seq: row.seq,
    eventId: row.event_id,
    eventTime: row.event_time,
    eventName: row.event_name,
    eventSource: row.event_source,
    username: row.username,
    accessKeyId: row.access_key_id,
    readOnly: row.read_only === 1,
    resourceNames: parseNames(row.resource_names),
    record: row.record,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Written by append() as a JSON list of strings; anything else (an edited row) reads as none. */
function parseNames(text: string): readonly string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
