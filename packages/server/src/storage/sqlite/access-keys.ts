// Access keys in SQLite: the API credentials of IAM users, of assumed-role sessions and of
// nodes. Secrets arrive sealed and tokens hashed; error messages from here name columns, never
// values.

import type { AccessKeyLastUsed, AccessKeyRecord, Principal } from '../records.js';
import type { AccessKeyRepository } from '../repositories.js';
import { promised, type SqliteDatabase } from './database.js';

interface AccessKeyRow {
  readonly access_key_id: string;
  readonly sealed_secret: string;
  readonly session_token_hash: string | null;
  readonly principal_kind: Principal['kind'];
  readonly principal_id: string;
  readonly principal_name: string;
  readonly principal_arn: string;
  readonly role_name: string | null;
  readonly created_at: number;
  readonly expires_at: number | null;
  readonly active: number;
  readonly last_used_at: number | null;
  readonly last_used_service: string | null;
  readonly last_used_region: string | null;
  readonly multi_factor: number;
}

export class SqliteAccessKeyRepository implements AccessKeyRepository {
  private readonly insertKey;
  private readonly selectKey;
  private readonly selectLongTerm;
  private readonly updateActive;
  private readonly updateLastUsed;
  private readonly updateSecret;
  private readonly updatePrincipal;
  private readonly deleteKey;
  private readonly deleteExpiredKeys;
  private readonly deletePrincipalKeys;

  constructor(db: SqliteDatabase) {
    this.insertKey = db.prepare(
      `INSERT INTO access_keys (access_key_id, sealed_secret, session_token_hash, principal_kind,
         principal_id, principal_name, principal_arn, role_name, created_at, expires_at, active,
         last_used_at, last_used_service, last_used_region, multi_factor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectKey = db.prepare('SELECT * FROM access_keys WHERE access_key_id = ?');
    this.selectLongTerm = db.prepare(
      `SELECT * FROM access_keys WHERE principal_id = ? AND expires_at IS NULL
       ORDER BY created_at, access_key_id`,
    );
    this.updateActive = db.prepare('UPDATE access_keys SET active = ? WHERE access_key_id = ?');
    this.updateLastUsed = db.prepare(
      `UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ?
       WHERE access_key_id = ?`,
    );
    this.updateSecret = db.prepare(
      'UPDATE access_keys SET sealed_secret = ? WHERE access_key_id = ?',
    );
    this.updatePrincipal = db.prepare(
      `UPDATE access_keys SET principal_kind = ?, principal_id = ?, principal_name = ?,
         principal_arn = ?, role_name = ?
       WHERE principal_id = ?`,
    );
    this.deleteKey = db.prepare('DELETE FROM access_keys WHERE access_key_id = ?');
    // Valid means expires_at > now (as everywhere in storage), so a key is expired at its
    // expiry instant; long-term keys (NULL) never expire.
    this.deleteExpiredKeys = db.prepare('DELETE FROM access_keys WHERE expires_at <= ?');
    this.deletePrincipalKeys = db.prepare('DELETE FROM access_keys WHERE principal_id = ?');
  }

  insert(key: AccessKeyRecord): Promise<void> {
    return promised(() => {
      this.insertKey.run(
        key.accessKeyId,
        key.sealedSecret,
        key.sessionTokenHash,
        key.principal.kind,
        key.principal.id,
        key.principal.name,
        key.principal.arn,
        key.principal.roleName ?? null,
        key.createdAt,
        key.expiresAt,
        key.active ? 1 : 0,
        key.lastUsed?.at ?? null,
        key.lastUsed?.service ?? null,
        key.lastUsed?.region ?? null,
        key.multiFactor === true ? 1 : 0,
      );
    });
  }

  get(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return promised(() => {
      const row = this.selectKey.get(accessKeyId) as AccessKeyRow | undefined;
      return row && toRecord(row);
    });
  }

  listLongTerm(principalId: string): Promise<readonly AccessKeyRecord[]> {
    return promised(() => (this.selectLongTerm.all(principalId) as AccessKeyRow[]).map(toRecord));
  }

  setActive(accessKeyId: string, active: boolean): Promise<boolean> {
    return promised(() => this.updateActive.run(active ? 1 : 0, accessKeyId).changes > 0);
  }

  recordUse(accessKeyId: string, lastUsed: AccessKeyLastUsed): Promise<boolean> {
    return promised(
      () =>
        this.updateLastUsed.run(lastUsed.at, lastUsed.service, lastUsed.region, accessKeyId)
          .changes > 0,
    );
  }

  replaceSealedSecret(accessKeyId: string, sealedSecret: string): Promise<boolean> {
    return promised(() => this.updateSecret.run(sealedSecret, accessKeyId).changes > 0);
  }

  reassignPrincipal(principalId: string, principal: Principal): Promise<number> {
    return promised(
      () =>
        this.updatePrincipal.run(
          principal.kind,
          principal.id,
          principal.name,
          principal.arn,
          principal.roleName ?? null,
          principalId,
        ).changes,
    );
  }

  delete(accessKeyId: string): Promise<boolean> {
    return promised(() => this.deleteKey.run(accessKeyId).changes > 0);
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
    sealedSecret: row.sealed_secret,
    sessionTokenHash: row.session_token_hash,
    principal: {
      kind: row.principal_kind,
      id: row.principal_id,
      name: row.principal_name,
      arn: row.principal_arn,
      ...(row.role_name === null ? {} : { roleName: row.role_name }),
    },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    active: row.active === 1,
    lastUsed:
      row.last_used_at === null
        ? null
        : {
            at: row.last_used_at,
            service: row.last_used_service ?? '',
            region: row.last_used_region ?? '',
          },
    ...(row.multi_factor === 1 ? { multiFactor: true as const } : {}),
  };
}
