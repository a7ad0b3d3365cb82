// IAM users in SQLite.

import type { IamUserRecord } from '../../iam-records.js';
import type { IamUserRepository, NameAndPath, RenameResult } from '../../iam-repositories.js';
import type { Page, PageRequest, Tag } from '../../records.js';
import { promised, type SqliteDatabase } from '../database.js';
import { encodeTags, listNamed, nameKey, parseTags, renameNamed } from './named-listing.js';

interface UserRow {
  readonly user_id: string;
  readonly user_name: string;
  readonly name_key: string;
  readonly path: string;
  readonly arn: string;
  readonly tags: string;
  readonly created_at: number;
}

export class SqliteIamUserRepository implements IamUserRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(user: IamUserRecord): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `INSERT INTO iam_users (user_id, user_name, name_key, path, arn, tags, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(
            user.userId,
            user.userName,
            nameKey(user.userName),
            user.path,
            user.arn,
            encodeTags(user.tags),
            user.createdAt,
          ).changes > 0,
    );
  }

  get(userName: string): Promise<IamUserRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM iam_users WHERE name_key = ?')
        .get(nameKey(userName)) as UserRow | undefined;
      return row && toRecord(row);
    });
  }

  getById(userId: string): Promise<IamUserRecord | undefined> {
    return promised(() => {
      const row = this.db.prepare('SELECT * FROM iam_users WHERE user_id = ?').get(userId) as
        UserRow | undefined;
      return row && toRecord(row);
    });
  }

  list(pathPrefix: string, page: PageRequest): Promise<Page<IamUserRecord>> {
    return promised(() => listNamed(this.db, 'iam_users', pathPrefix, page, toRecord));
  }

  rename(userName: string, to: NameAndPath): Promise<RenameResult> {
    return promised(() => renameNamed(this.db, 'iam_users', 'user_name', userName, to));
  }

  setTags(userName: string, tags: readonly Tag[]): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare('UPDATE iam_users SET tags = ? WHERE name_key = ?')
          .run(encodeTags(tags), nameKey(userName)).changes > 0,
    );
  }

  delete(userName: string): Promise<boolean> {
    return promised(
      () =>
        this.db.prepare('DELETE FROM iam_users WHERE name_key = ?').run(nameKey(userName)).changes >
        0,
    );
  }
}

function toRecord(row: UserRow): IamUserRecord {
  return {
    userId: row.user_id,
    userName: row.user_name,
    path: row.path,
    arn: row.arn,
    tags: parseTags(row.tags),
    createdAt: row.created_at,
  };
}
