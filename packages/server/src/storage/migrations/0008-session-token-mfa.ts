// Temporary credentials from STS GetSessionToken remember whether a TOTP code was shown for
// them, so requests signed with them carry aws:MultiFactorAuthPresent (docs/iam.md). Long-term
// keys and older rows are 0. Same portable SQL as 0001.

export const version = 8;
export const name = 'session-token-mfa';

export const up = `
ALTER TABLE access_keys ADD COLUMN multi_factor SMALLINT NOT NULL DEFAULT 0
  CHECK (multi_factor IN (0, 1));
`;
