// IAM roles in SQLite.

import type { IamRoleRecord } from '../../iam-records.js';
import type { IamRoleRepository, RoleUpdate } from '../../iam-repositories.js';
import type { Page, PageRequest, Tag } from '../../records.js';
import { promised, type SqliteDatabase } from '../database.js';
import { encodeTags, listNamed, nameKey, parseTags } from './named-listing.js';

interface RoleRow {
  readonly role_id: string;
  readonly role_name: string;
  readonly name_key: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  readonly trust_policy: string;
  readonly max_session_duration: number;
  readonly tags: string;
  readonly created_at: number;
}

export class SqliteIamRoleRepository implements IamRoleRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(role: IamRoleRecord): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `INSERT INTO iam_roles (role_id, role_name, name_key, path, arn, description,
               trust_policy, max_session_duration, tags, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(
            role.roleId,
            role.roleName,
            nameKey(role.roleName),
            role.path,
            role.arn,
            role.description,
            role.trustPolicy,
            role.maxSessionDuration,
            encodeTags(role.tags),
            role.createdAt,
          ).changes > 0,
    );
  }

  get(roleName: string): Promise<IamRoleRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM iam_roles WHERE name_key = ?')
        .get(nameKey(roleName)) as RoleRow | undefined;
      return row && toRecord(row);
    });
  }

  getById(roleId: string): Promise<IamRoleRecord | undefined> {
    return promised(() => {
      const row = this.db.prepare('SELECT * FROM iam_roles WHERE role_id = ?').get(roleId) as
        RoleRow | undefined;
      return row && toRecord(row);
    });
  }

  list(pathPrefix: string, page: PageRequest): Promise<Page<IamRoleRecord>> {
    return promised(() => listNamed(this.db, 'iam_roles', pathPrefix, page, toRecord));
  }

  update(roleName: string, update: RoleUpdate): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `UPDATE iam_roles SET description = coalesce(?, description),
               max_session_duration = coalesce(?, max_session_duration),
               trust_policy = coalesce(?, trust_policy)
             WHERE name_key = ?`,
          )
          .run(
            update.description ?? null,
            update.maxSessionDuration ?? null,
            update.trustPolicy ?? null,
            nameKey(roleName),
          ).changes > 0,
    );
  }

  setTags(roleName: string, tags: readonly Tag[]): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare('UPDATE iam_roles SET tags = ? WHERE name_key = ?')
          .run(encodeTags(tags), nameKey(roleName)).changes > 0,
    );
  }

  delete(roleName: string): Promise<boolean> {
    return promised(
      () =>
        this.db.prepare('DELETE FROM iam_roles WHERE name_key = ?').run(nameKey(roleName)).changes >
        0,
    );
  }
}

function toRecord(row: RoleRow): IamRoleRecord {
  return {
    roleId: row.role_id,
    roleName: row.role_name,
    path: row.path,
    arn: row.arn,
    description: row.description,
    trustPolicy: row.trust_policy,
    maxSessionDuration: row.max_session_duration,
    tags: parseTags(row.tags),
    createdAt: row.created_at,
  };
}
