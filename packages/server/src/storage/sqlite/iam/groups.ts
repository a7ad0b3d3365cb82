// IAM groups and their members in SQLite.

import type { IamGroupRecord, IamUserRecord } from '../../iam-records.js';
import type { IamGroupRepository, NameAndPath, RenameResult } from '../../iam-repositories.js';
import type { Page, PageRequest } from '../../records.js';
import { promised, type SqliteDatabase } from '../database.js';
import { listNamed, nameKey, parseTags, renameNamed } from './named-listing.js';

interface GroupRow {
  readonly group_id: string;
  readonly group_name: string;
  readonly name_key: string;
  readonly path: string;
  readonly arn: string;
  readonly created_at: number;
}

interface MemberRow {
  readonly user_id: string;
  readonly user_name: string;
  readonly path: string;
  readonly arn: string;
  readonly tags: string;
  readonly created_at: number;
}

export class SqliteIamGroupRepository implements IamGroupRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(group: IamGroupRecord): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `INSERT INTO iam_groups (group_id, group_name, name_key, path, arn, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(
            group.groupId,
            group.groupName,
            nameKey(group.groupName),
            group.path,
            group.arn,
            group.createdAt,
          ).changes > 0,
    );
  }

  get(groupName: string): Promise<IamGroupRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM iam_groups WHERE name_key = ?')
        .get(nameKey(groupName)) as GroupRow | undefined;
      return row && toRecord(row);
    });
  }

  list(pathPrefix: string, page: PageRequest): Promise<Page<IamGroupRecord>> {
    return promised(() => listNamed(this.db, 'iam_groups', pathPrefix, page, toRecord));
  }

  rename(groupName: string, to: NameAndPath): Promise<RenameResult> {
    return promised(() => renameNamed(this.db, 'iam_groups', 'group_name', groupName, to));
  }

  delete(groupName: string): Promise<boolean> {
    return promised(
      () =>
        this.db.prepare('DELETE FROM iam_groups WHERE name_key = ?').run(nameKey(groupName))
          .changes > 0,
    );
  }

  addMember(groupId: string, userId: string): Promise<void> {
    return promised(() => {
      this.db
        .prepare(
          'INSERT INTO iam_group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
        )
        .run(groupId, userId);
    });
  }

  removeMember(groupId: string, userId: string): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare('DELETE FROM iam_group_members WHERE group_id = ? AND user_id = ?')
          .run(groupId, userId).changes > 0,
    );
  }

  listMembers(groupId: string): Promise<readonly IamUserRecord[]> {
    return promised(() =>
      (
        this.db
          .prepare(
            `SELECT u.* FROM iam_group_members m JOIN iam_users u ON u.user_id = m.user_id
             WHERE m.group_id = ? ORDER BY u.name_key`,
          )
          .all(groupId) as MemberRow[]
      ).map((row) => ({
        userId: row.user_id,
        userName: row.user_name,
        path: row.path,
        arn: row.arn,
        tags: parseTags(row.tags),
        createdAt: row.created_at,
      })),
    );
  }

  listForUser(userId: string): Promise<readonly IamGroupRecord[]> {
    return promised(() =>
      (
        this.db
          .prepare(
            `SELECT g.* FROM iam_group_members m JOIN iam_groups g ON g.group_id = m.group_id
             WHERE m.user_id = ? ORDER BY g.name_key`,
          )
          .all(userId) as GroupRow[]
      ).map(toRecord),
    );
  }
}

function toRecord(row: GroupRow): IamGroupRecord {
  return {
    groupId: row.group_id,
    groupName: row.group_name,
    path: row.path,
    arn: row.arn,
    createdAt: row.created_at,
  };
}
