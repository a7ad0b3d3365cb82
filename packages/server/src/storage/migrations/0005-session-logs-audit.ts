// Session logs, recordings and the audit trail (docs/session-logs.md, docs/audit-events.md): the
// CloudWatch-Logs-style log store (groups, streams, events indexed by time), the index of session
// recordings kept in the object store, and the append-only, hash-chained audit records. Same
// portable SQL as 0001.

export const version = 5;
export const name = 'session-logs-audit';

// Notes on the choices below:
// - Event and record numbers are assigned by the repository inside its write transaction (no
//   AUTOINCREMENT/SERIAL), so the SQL stays the same for SQLite and PostgreSQL.
// - log_events are keyed per stream by an ingestion sequence; reads go by time, so both the
//   per-stream and the per-group indexes lead with the timestamp.
// - audit_records keeps the record exactly as hashed (`record`); the other columns are derived
//   from it for lookups, and `openssm audit verify` checks they still agree with it.
export const up = `
CREATE TABLE log_groups (
  name TEXT NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL,
  retention_days INTEGER,
  stored_bytes BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE log_streams (
  group_name TEXT NOT NULL REFERENCES log_groups (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  first_event_at BIGINT,
  last_event_at BIGINT,
  last_ingestion_at BIGINT,
  next_seq BIGINT NOT NULL DEFAULT 1,
  stored_bytes BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (group_name, name)
);
CREATE INDEX log_streams_last_event ON log_streams (group_name, last_event_at);

CREATE TABLE log_events (
  group_name TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  seq BIGINT NOT NULL,
  event_time BIGINT NOT NULL,
  ingestion_time BIGINT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (group_name, stream_name, seq),
  FOREIGN KEY (group_name, stream_name) REFERENCES log_streams (group_name, name) ON DELETE CASCADE
);
CREATE INDEX log_events_stream_time ON log_events (group_name, stream_name, event_time, seq);
CREATE INDEX log_events_group_time ON log_events (group_name, event_time, stream_name, seq);

CREATE TABLE session_recordings (
  session_id TEXT NOT NULL PRIMARY KEY,
  target TEXT NOT NULL,
  owner TEXT NOT NULL,
  bucket TEXT NOT NULL,
  key_prefix TEXT NOT NULL,
  input_recorded SMALLINT NOT NULL CHECK (input_recorded IN (0, 1)),
  status TEXT NOT NULL CHECK (status IN ('Recording', 'Complete', 'Incomplete', 'Deleted')),
  cast_bytes BIGINT NOT NULL DEFAULT 0,
  transcript_bytes BIGINT NOT NULL DEFAULT 0,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  deleted_at BIGINT
);
CREATE INDEX session_recordings_started ON session_recordings (status, started_at);

CREATE TABLE audit_records (
  seq BIGINT NOT NULL PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  event_time BIGINT NOT NULL,
  event_name TEXT NOT NULL,
  event_source TEXT NOT NULL,
  username TEXT NOT NULL,
  access_key_id TEXT NOT NULL,
  read_only SMALLINT NOT NULL CHECK (read_only IN (0, 1)),
  resource_names TEXT NOT NULL,
  record TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_records_time ON audit_records (event_time, seq);
CREATE INDEX audit_records_name ON audit_records (event_name, event_time);
CREATE INDEX audit_records_user ON audit_records (username, event_time);
`;
