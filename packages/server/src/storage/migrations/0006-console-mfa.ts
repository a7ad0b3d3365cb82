// Console multi-factor authentication (docs/console.md): one virtual TOTP device per IAM user.
// The secret is sealed with the data directory's key (services/secret-box.ts), as access key
// secrets are; last_used_step makes each code usable once. Same portable SQL as 0001.

export const version = 6;
export const name = 'console-mfa';

export const up = `
CREATE TABLE iam_mfa_devices (
  user_id TEXT NOT NULL PRIMARY KEY REFERENCES iam_users (user_id) ON DELETE CASCADE,
  sealed_secret TEXT NOT NULL,
  enabled SMALLINT NOT NULL CHECK (enabled IN (0, 1)),
  created_at BIGINT NOT NULL,
  last_used_step BIGINT
);
`;
