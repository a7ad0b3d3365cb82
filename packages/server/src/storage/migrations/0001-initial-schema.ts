// The first schema: access keys, activations, managed instances, sessions and channel tokens.
// Portable SQL (SQLite and PostgreSQL): TEXT, INTEGER, BIGINT for epoch milliseconds, SMALLINT
// 0/1 for flags, CHECK for enumerations, JSON kept as TEXT, tags in child tables.

export const version = 1;
export const name = 'initial-schema';

// Notes on the choices below:
// - `NOT NULL` on every TEXT primary key: SQLite otherwise lets a primary key be NULL.
// - Instances keep their `activation_id` without a foreign key: deleting an activation does not
//   deregister the nodes it registered (as on AWS). Sessions and tokens likewise outlive targets.
// - `registrations_count <= registration_limit` is enforced by the table too, so no driver bug
//   can hand out more registrations than an activation allows.
export const up = `
CREATE TABLE access_keys (
  access_key_id TEXT NOT NULL PRIMARY KEY,
  secret_access_key TEXT NOT NULL,
  session_token TEXT,
  principal_kind TEXT NOT NULL CHECK (principal_kind IN ('admin', 'node')),
  principal_id TEXT NOT NULL,
  principal_arn TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  active SMALLINT NOT NULL CHECK (active IN (0, 1))
);
CREATE INDEX access_keys_principal_id ON access_keys (principal_id);
CREATE INDEX access_keys_expires_at ON access_keys (expires_at);

CREATE TABLE activations (
  activation_id TEXT NOT NULL PRIMARY KEY,
  activation_code_hash TEXT NOT NULL,
  description TEXT NOT NULL,
  default_instance_name TEXT NOT NULL,
  iam_role TEXT NOT NULL,
  registration_limit INTEGER NOT NULL CHECK (registration_limit >= 0),
  registrations_count INTEGER NOT NULL
    CHECK (registrations_count >= 0 AND registrations_count <= registration_limit),
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX activations_created_at ON activations (created_at, activation_id);

CREATE TABLE activation_tags (
  activation_id TEXT NOT NULL REFERENCES activations (activation_id) ON DELETE CASCADE,
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (activation_id, tag_key)
);

CREATE TABLE instances (
  instance_id TEXT NOT NULL PRIMARY KEY,
  activation_id TEXT NOT NULL,
  name TEXT NOT NULL,
  iam_role TEXT NOT NULL,
  public_key TEXT NOT NULL,
  public_key_type TEXT NOT NULL CHECK (public_key_type IN ('Rsa')),
  fingerprint TEXT NOT NULL,
  registered_at BIGINT NOT NULL,
  platform_type TEXT CHECK (platform_type IN ('Linux', 'Windows', 'MacOS')),
  platform_name TEXT NOT NULL,
  platform_version TEXT NOT NULL,
  agent_version TEXT NOT NULL,
  ip_address TEXT NOT NULL,
  computer_name TEXT NOT NULL,
  last_ping_at BIGINT,
  deregistered_at BIGINT
);
CREATE INDEX instances_activation_id ON instances (activation_id);

CREATE TABLE instance_tags (
  instance_id TEXT NOT NULL REFERENCES instances (instance_id) ON DELETE CASCADE,
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (instance_id, tag_key)
);
CREATE INDEX instance_tags_key_value ON instance_tags (tag_key, tag_value);

CREATE TABLE sessions (
  session_id TEXT NOT NULL PRIMARY KEY,
  target TEXT NOT NULL,
  document_name TEXT NOT NULL,
  owner TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('Connecting', 'Connected', 'Disconnected', 'Terminating', 'Terminated', 'Failed')),
  details TEXT NOT NULL,
  parameters TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT
);
CREATE INDEX sessions_started_at ON sessions (started_at DESC, session_id);
CREATE INDEX sessions_target ON sessions (target);
CREATE INDEX sessions_status ON sessions (status);

CREATE TABLE channel_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('client-data', 'agent-data', 'agent-control')),
  channel_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX channel_tokens_expires_at ON channel_tokens (expires_at);
`;
