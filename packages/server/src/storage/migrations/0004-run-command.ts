// Run Command (docs/run-command.md): one row per command, one per invocation (a command on one
// node). Same portable SQL as 0001. Lists and per-plugin results are JSON text written and read
// whole by the service; nothing filters inside them.

export const version = 4;
export const name = 'run-command';

// Notes on the choices below:
// - Counters and status live on the command row, written in the same transaction as the
//   invocations that moved them, so ListCommands never has to aggregate thousands of rows.
// - `position` is the sending order (targets resolved at send time, in id order).
// - invocations carry the command's requested_at so an invocation listing sorts newest first
//   with its own index.
// - No foreign key from invocations to instances: a deregistered node's history stays.
export const up = `
CREATE TABLE commands (
  command_id TEXT NOT NULL PRIMARY KEY,
  document_name TEXT NOT NULL,
  document_version TEXT NOT NULL,
  comment TEXT NOT NULL,
  parameters TEXT NOT NULL,
  job_content TEXT NOT NULL,
  plugins TEXT NOT NULL,
  instance_ids TEXT NOT NULL,
  targets TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds > 0),
  expires_at BIGINT NOT NULL,
  output_s3_region TEXT NOT NULL,
  output_s3_bucket_name TEXT NOT NULL,
  output_s3_key_prefix TEXT NOT NULL,
  max_concurrency TEXT NOT NULL,
  max_errors TEXT NOT NULL,
  service_role TEXT NOT NULL,
  notification_config TEXT,
  cloud_watch_output_config TEXT,
  owner TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('Pending', 'InProgress', 'Success', 'Cancelled', 'Failed', 'TimedOut', 'Cancelling')),
  status_details TEXT NOT NULL,
  target_count INTEGER NOT NULL CHECK (target_count >= 0),
  completed_count INTEGER NOT NULL CHECK (completed_count >= 0),
  error_count INTEGER NOT NULL CHECK (error_count >= 0),
  delivery_timed_out_count INTEGER NOT NULL CHECK (delivery_timed_out_count >= 0),
  cancel_requested SMALLINT NOT NULL CHECK (cancel_requested IN (0, 1)),
  dispatch_stopped SMALLINT NOT NULL CHECK (dispatch_stopped IN (0, 1))
);
CREATE INDEX commands_requested ON commands (requested_at, command_id);
CREATE INDEX commands_status ON commands (status);

CREATE TABLE command_invocations (
  command_id TEXT NOT NULL REFERENCES commands (command_id) ON DELETE CASCADE,
  instance_id TEXT NOT NULL,
  instance_name TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position >= 0),
  requested_at BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('Pending', 'InProgress', 'Delayed', 'Success', 'Cancelled', 'TimedOut', 'Failed', 'Cancelling')),
  status_details TEXT NOT NULL,
  dispatched_at BIGINT,
  delivered_at BIGINT,
  send_attempts INTEGER NOT NULL CHECK (send_attempts >= 0),
  next_attempt_at BIGINT,
  job_message_id TEXT,
  reply_sequence INTEGER NOT NULL,
  trace_output TEXT NOT NULL,
  plugins TEXT NOT NULL,
  cancel TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (command_id, instance_id),
  UNIQUE (command_id, position)
);
CREATE INDEX command_invocations_instance ON command_invocations (instance_id, requested_at);
CREATE INDEX command_invocations_requested ON command_invocations (requested_at, command_id, position);
`;
