// Access keys in SQLite: the API credentials of the administrator and the temporary
// credentials of nodes. Error messages from here name columns, never the values (secrets).

import type { AccessKeyRecord } from '../records.js';
import type { AccessKeyRepository } from '../repositories.js';
import { promised, type SqliteDatabase } from './database.js';

interface AccessKeyRow {
  readonly access_key_id: string;
  readonly secret_access_key: string;
  readonly session_token: string | null;
  readonly principal_kind: 'admin' | 'node';
  readonly principal_id: string;
  readonly principal_arn: string;
  readonly created_at: number;
  readonly expires_at: number | null;
  readonly active: number;
}

export class SqliteAccessKeyRepository implements AccessKeyRepository {
  private readonly insertKey;
  private readonly selectKey;
  private readonly deleteExpiredKeys;
  private readonly deletePrincipalKeys;

  constructor(db: SqliteDatabase) {
    this.insertKey = db.prepare(
      `INSERT INTO access_keys (access_key_id, secret_access_key, session_token, principal_kind,
         principal_id, principal_arn, created_at, expires_at, active)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectKey = db.prepare('SELECT * FROM access_keys WHERE access_key_id = ?');
    // Valid means expires_at > now (as everywhere in storage), so a key is expired at its
    // expiry instant; long-term keys (NULL) never expire.
    this.deleteExpiredKeys = db.prepare('DELETE FROM access_keys WHERE expires_at <= ?');
    this.deletePrincipalKeys = db.prepare('DELETE FROM access_keys WHERE principal_id = ?');
  }

  insert(key: AccessKeyRecord): Promise<void> {
    return promised(() => {
      this.insertKey.run(
        key.accessKeyId,
        key.secretAccessKey,
        key.sessionToken,
        key.principal.kind,
        key.principal.id,
        key.principal.arn,
        key.createdAt,
        key.expiresAt,
        key.active ? 1 : 0,
      );
    });
  }

  get(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return promised(() => {
      const row = this.selectKey.get(accessKeyId) as AccessKeyRow | undefined;
      return row && toRecord(row);
    });
  }

  deleteExpired(now: number): Promise<number> {
    return promised(() => this.deleteExpiredKeys.run(now).changes);
  }

  deleteForPrincipal(principalId: string): Promise<number> {
    return promised(() => this.deletePrincipalKeys.run(principalId).changes);
  }
}

function toRecord(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret_access_key,
    sessionToken: row.session_token,
    principal: { kind: row.principal_kind, id: row.principal_id, arn: row.principal_arn },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    active: row.active === 1,
  };
}
