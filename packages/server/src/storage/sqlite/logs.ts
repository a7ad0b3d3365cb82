// The log store in SQLite: groups, streams and events indexed by time (CloudWatch Logs'
// semantics live in services/log-service.ts). Appends run in one transaction that also moves
// the stream's counters, so a reader never sees events without their stream's bounds.

import { assertPageLimit, decodeCursor, pageFromRows } from '../pagination.js';
import type {
  LogEventRecord,
  LogGroupRecord,
  LogStreamRecord,
  NewLogEvent,
} from '../log-records.js';
import type { LogEventQuery, LogRepository, LogStreamFilter } from '../log-repositories.js';
import type { Page, PageRequest } from '../records.js';
import { promised, type SqliteDatabase } from './database.js';
import { WhereClause } from './where-clause.js';

const DAY_MS = 86_400_000;

interface GroupRow {
  readonly name: string;
  readonly created_at: number;
  readonly retention_days: number | null;
  readonly stored_bytes: number;
}

interface StreamRow {
  readonly group_name: string;
  readonly name: string;
  readonly created_at: number;
  readonly first_event_at: number | null;
  readonly last_event_at: number | null;
  readonly last_ingestion_at: number | null;
  readonly next_seq: number;
  readonly stored_bytes: number;
}

interface EventRow {
  readonly group_name: string;
  readonly stream_name: string;
  readonly seq: number;
  readonly event_time: number;
  readonly ingestion_time: number;
  readonly message: string;
}

export class SqliteLogRepository implements LogRepository {
  constructor(private readonly db: SqliteDatabase) {}

  createGroup(name: string, now: number): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            'INSERT INTO log_groups (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
          )
          .run(name, now).changes === 1,
    );
  }

  getGroup(name: string): Promise<LogGroupRecord | undefined> {
    return promised(() => {
      const row = this.db.prepare('SELECT * FROM log_groups WHERE name = ?').get(name) as
        GroupRow | undefined;
      return row && toGroup(row);
    });
  }

  deleteGroup(name: string): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM log_events WHERE group_name = ?').run(name);
        this.db.prepare('DELETE FROM log_streams WHERE group_name = ?').run(name);
        return this.db.prepare('DELETE FROM log_groups WHERE name = ?').run(name).changes === 1;
      })(),
    );
  }

  listGroups(namePrefix: string | undefined, page: PageRequest): Promise<Page<LogGroupRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause();
      if (namePrefix !== undefined) {
        where.and('substr(name, 1, ?) = ?', namePrefix.length, namePrefix);
      }
      if (page.cursor !== undefined) {
        const [after] = decodeCursor('log-groups', page.cursor, ['string']);
        where.and('name > ?', after);
      }
      const rows = this.db
        .prepare(`SELECT * FROM log_groups ${where.toString()} ORDER BY name LIMIT ?`)
        .all(...where.params, page.limit + 1) as GroupRow[];
      return pageFromRows(rows.map(toGroup), page.limit, 'log-groups', (g) => [g.name]);
    });
  }

  setRetention(name: string, days: number | null): Promise<boolean> {
    return promised(
      () =>
        this.db.prepare('UPDATE log_groups SET retention_days = ? WHERE name = ?').run(days, name)
          .changes === 1,
    );
  }

  ensureStream(groupName: string, streamName: string, now: number): Promise<boolean> {
    return promised(() => {
      if (this.db.prepare('SELECT 1 FROM log_groups WHERE name = ?').get(groupName) === undefined)
        return false;
      this.db
        .prepare(
          `INSERT INTO log_streams (group_name, name, created_at) VALUES (?, ?, ?)
           ON CONFLICT (group_name, name) DO NOTHING`,
        )
        .run(groupName, streamName, now);
      return true;
    });
  }

  getStream(groupName: string, streamName: string): Promise<LogStreamRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM log_streams WHERE group_name = ? AND name = ?')
        .get(groupName, streamName) as StreamRow | undefined;
      return row && toStream(row);
    });
  }

  listStreams(filter: LogStreamFilter, page: PageRequest): Promise<Page<LogStreamRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause().and('group_name = ?', filter.groupName);
      if (filter.namePrefix !== undefined) {
        where.and('substr(name, 1, ?) = ?', filter.namePrefix.length, filter.namePrefix);
      }
      const byTime = filter.orderBy === 'LastEventTime';
      const direction = filter.descending ? 'DESC' : 'ASC';
      const compare = filter.descending ? '<' : '>';
      // Streams without events sort as time 0, so the keyset stays total.
      const timeKey = 'COALESCE(last_event_at, 0)';
      if (page.cursor !== undefined) {
        if (byTime) {
          const [time, name] = decodeCursor('log-streams-time', page.cursor, ['number', 'string']);
          where.and(
            `(${timeKey} ${compare} ? OR (${timeKey} = ? AND name ${compare} ?))`,
            time,
            time,
            name,
          );
        } else {
          const [name] = decodeCursor('log-streams', page.cursor, ['string']);
          where.and(`name ${compare} ?`, name);
        }
      }
      const order = byTime ? `${timeKey} ${direction}, name ${direction}` : `name ${direction}`;
      const rows = this.db
        .prepare(`SELECT * FROM log_streams ${where.toString()} ORDER BY ${order} LIMIT ?`)
        .all(...where.params, page.limit + 1) as StreamRow[];
      const streams = rows.map(toStream);
      return byTime
        ? pageFromRows(streams, page.limit, 'log-streams-time', (s) => [s.lastEventAt ?? 0, s.name])
        : pageFromRows(streams, page.limit, 'log-streams', (s) => [s.name]);
    });
  }

  append(
    groupName: string,
    streamName: string,
    events: readonly NewLogEvent[],
    now: number,
  ): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        const stream = this.db
          .prepare('SELECT * FROM log_streams WHERE group_name = ? AND name = ?')
          .get(groupName, streamName) as StreamRow | undefined;
        if (stream === undefined) return false;
        if (events.length === 0) return true;
        const insert = this.db.prepare(
          `INSERT INTO log_events (group_name, stream_name, seq, event_time, ingestion_time, message)
           VALUES (?, ?, ?, ?, ?, ?)`,
        );
        let seq = stream.next_seq;
        let bytes = 0;
        let first = stream.first_event_at ?? Number.MAX_SAFE_INTEGER;
        let last = stream.last_event_at ?? 0;
        for (const event of events) {
          insert.run(groupName, streamName, seq++, event.timestamp, now, event.message);
          bytes += Buffer.byteLength(event.message);
          first = Math.min(first, event.timestamp);
          last = Math.max(last, event.timestamp);
        }
        this.db
          .prepare(
            `UPDATE log_streams SET next_seq = ?, first_event_at = ?, last_event_at = ?,
               last_ingestion_at = ?, stored_bytes = stored_bytes + ?
             WHERE group_name = ? AND name = ?`,
          )
          .run(seq, first, last, now, bytes, groupName, streamName);
        this.db
          .prepare('UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE name = ?')
          .run(bytes, groupName);
        return true;
      })(),
    );
  }

  events(query: LogEventQuery, page: PageRequest): Promise<Page<LogEventRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause().and('group_name = ?', query.groupName);
      where.in('stream_name', query.streamNames);
      if (query.streamNamePrefix !== undefined) {
        where.and(
          'substr(stream_name, 1, ?) = ?',
          query.streamNamePrefix.length,
          query.streamNamePrefix,
        );
      }
      if (query.startTime !== undefined) where.and('event_time >= ?', query.startTime);
      if (query.endTime !== undefined) where.and('event_time < ?', query.endTime);
      for (const term of query.terms ?? []) where.and('instr(message, ?) > 0', term);
      const descending = query.descending === true;
      const compare = descending ? '<' : '>';
      const listing = descending ? 'log-events-desc' : 'log-events';
      if (page.cursor !== undefined) {
        const [time, stream, seq] = decodeCursor(listing, page.cursor, [
          'number',
          'string',
          'number',
        ]);
        where.and(
          `(event_time ${compare} ? OR (event_time = ? AND (stream_name ${compare} ? OR
             (stream_name = ? AND seq ${compare} ?))))`,
          time,
          time,
          stream,
          stream,
          seq,
        );
      }
      const direction = descending ? 'DESC' : 'ASC';
      const rows = this.db
        .prepare(
          `SELECT * FROM log_events ${where.toString()}
           ORDER BY event_time ${direction}, stream_name ${direction}, seq ${direction} LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as EventRow[];
      return pageFromRows(rows.map(toEvent), page.limit, listing, (e) => [
        e.timestamp,
        e.streamName,
        e.seq,
      ]);
    });
  }

  expireEvents(now: number): Promise<number> {
    return promised(() =>
      this.db.transaction(() => {
        const groups = this.db
          .prepare('SELECT name, retention_days FROM log_groups WHERE retention_days IS NOT NULL')
          .all() as { name: string; retention_days: number }[];
        let removed = 0;
        for (const group of groups) {
          const cutoff = now - group.retention_days * DAY_MS;
          removed += this.db
            .prepare('DELETE FROM log_events WHERE group_name = ? AND event_time < ?')
            .run(group.name, cutoff).changes;
        }
        return removed;
      })(),
    );
  }
}

function toGroup(row: GroupRow): LogGroupRecord {
  return {
    name: row.name,
    createdAt: row.created_at,
    retentionDays: row.retention_days,
    storedBytes: row.stored_bytes,
  };
}

function toStream(row: StreamRow): LogStreamRecord {
  return {
    groupName: row.group_name,
    name: row.name,
    createdAt: row.created_at,
    firstEventAt: row.first_event_at,
    lastEventAt: row.last_event_at,
    lastIngestionAt: row.last_ingestion_at,
    storedBytes: row.stored_bytes,
  };
}

function toEvent(row: EventRow): LogEventRecord {
  return {
    groupName: row.group_name,
    streamName: row.stream_name,
    seq: row.seq,
    timestamp: row.event_time,
    ingestionTime: row.ingestion_time,
    message: row.message,
  };
}
