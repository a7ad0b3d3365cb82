// IAM: users, groups, roles, customer managed policies with versions, attachments of managed
// policies, inline policies and console login profiles. Access keys now belong to an IAM user,
// an assumed-role session or a managed node, carry AWS's last-used details, hold their secret
// sealed with the data directory's key (the services seal and open it; storage sees text) and
// keep only a SHA-256 of a session token. The administrator of 0001 becomes the IAM user `admin`.

export const version = 2;
export const name = 'iam';

// Notes:
// - IAM names are unique without regard to case, as on AWS ("Alice" and "alice" collide): each
//   table keeps the name as given and a lowercase `name_key` that carries the uniqueness.
// - Tags are a JSON object in a TEXT column: IAM never filters by tag, and principal tags are
//   read whole for policy variables.
// - Memberships, attachments, inline policies and login profiles point at their owner by its id,
//   so a rename (UpdateUser, UpdateGroup) touches one row; no foreign keys (three owner tables):
//   the services refuse deleting an owner that still has them, as AWS does (DeleteConflict).
// - The 0001 administrator key is kept (the admin-credentials file stays valid); the migration
//   only relabels it and marks its secret as not sealed yet. The user row, its policy attachment
//   and the node role are created by the server's bootstrap, which owns ids, ARNs and the key
//   that seals secrets. Temporary node credentials are dropped: their tokens were stored in
//   clear, and nodes fetch new ones with their RSA key.
export const up = `
CREATE TABLE iam_users (
  user_id TEXT NOT NULL PRIMARY KEY,
  user_name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  arn TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE iam_groups (
  group_id TEXT NOT NULL PRIMARY KEY,
  group_name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  arn TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE iam_group_members (
  group_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX iam_group_members_user ON iam_group_members (user_id);

CREATE TABLE iam_roles (
  role_id TEXT NOT NULL PRIMARY KEY,
  role_name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  arn TEXT NOT NULL,
  description TEXT NOT NULL,
  trust_policy TEXT NOT NULL,
  max_session_duration INTEGER NOT NULL,
  tags TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE iam_policies (
  policy_id TEXT NOT NULL PRIMARY KEY,
  policy_name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  arn TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  default_version TEXT NOT NULL,
  next_version INTEGER NOT NULL CHECK (next_version >= 2),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE iam_policy_versions (
  policy_arn TEXT NOT NULL REFERENCES iam_policies (arn) ON DELETE CASCADE,
  version_id TEXT NOT NULL,
  document TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (policy_arn, version_id)
);

CREATE TABLE iam_attachments (
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group', 'role')),
  owner_id TEXT NOT NULL,
  policy_arn TEXT NOT NULL,
  attached_at BIGINT NOT NULL,
  PRIMARY KEY (owner_kind, owner_id, policy_arn)
);
CREATE INDEX iam_attachments_policy ON iam_attachments (policy_arn);

CREATE TABLE iam_inline_policies (
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group', 'role')),
  owner_id TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (owner_kind, owner_id, name_key)
);

CREATE TABLE iam_login_profiles (
  user_id TEXT NOT NULL PRIMARY KEY,
  password_hash TEXT NOT NULL,
  password_reset_required SMALLINT NOT NULL CHECK (password_reset_required IN (0, 1)),
  created_at BIGINT NOT NULL
);

CREATE TABLE access_keys_v2 (
  access_key_id TEXT NOT NULL PRIMARY KEY,
  sealed_secret TEXT NOT NULL,
  session_token_hash TEXT,
  principal_kind TEXT NOT NULL CHECK (principal_kind IN ('user', 'assumed-role', 'node')),
  principal_id TEXT NOT NULL,
  principal_name TEXT NOT NULL,
  principal_arn TEXT NOT NULL,
  role_name TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  active SMALLINT NOT NULL CHECK (active IN (0, 1)),
  last_used_at BIGINT,
  last_used_service TEXT,
  last_used_region TEXT
);
INSERT INTO access_keys_v2 (access_key_id, sealed_secret, session_token_hash, principal_kind,
    principal_id, principal_name, principal_arn, role_name, created_at, expires_at, active)
  SELECT access_key_id, 'plain:' || secret_access_key, NULL,
    CASE principal_kind WHEN 'admin' THEN 'user' ELSE 'node' END,
    principal_id, principal_id, principal_arn, NULL, created_at, expires_at, active
  FROM access_keys WHERE expires_at IS NULL;
DROP TABLE access_keys;
ALTER TABLE access_keys_v2 RENAME TO access_keys;
CREATE INDEX access_keys_principal_id ON access_keys (principal_id);
CREATE INDEX access_keys_expires_at ON access_keys (expires_at);
`;
