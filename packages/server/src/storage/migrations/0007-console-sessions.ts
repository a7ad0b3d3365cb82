// Console sign-in sessions in storage (docs/decisions/0010): a restart keeps people signed in
// and every replica knows every session. Only the SHA-256 of the cookie token is stored, so the
// table alone opens no session. Same portable SQL as 0001.

export const version = 7;
export const name = 'console-sessions';

export const up = `
CREATE TABLE console_sessions (
  token_hash TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES iam_users (user_id) ON DELETE CASCADE,
  multi_factor SMALLINT NOT NULL CHECK (multi_factor IN (0, 1)),
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id, created_at);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
`;
