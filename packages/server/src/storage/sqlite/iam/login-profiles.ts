// Console passwords (their hashes) in SQLite.

import type { LoginProfileRecord } from '../../iam-records.js';
import type { LoginProfileRepository } from '../../iam-repositories.js';
import { promised, type SqliteDatabase } from '../database.js';

interface ProfileRow {
  readonly user_id: string;
  readonly password_hash: string;
  readonly password_reset_required: number;
  readonly created_at: number;
}

export class SqliteLoginProfileRepository implements LoginProfileRepository {
  constructor(private readonly db: SqliteDatabase) {}

  put(profile: LoginProfileRecord): Promise<void> {
    return promised(() => {
      this.db
        .prepare(
          `INSERT INTO iam_login_profiles (user_id, password_hash, password_reset_required, created_at)
           VALUES (?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash,
             password_reset_required = excluded.password_reset_required`,
        )
        .run(
          profile.userId,
          profile.passwordHash,
          profile.passwordResetRequired ? 1 : 0,
          profile.createdAt,
        );
    });
  }

  get(userId: string): Promise<LoginProfileRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM iam_login_profiles WHERE user_id = ?')
        .get(userId) as ProfileRow | undefined;
      return (
        row && {
          userId: row.user_id,
          passwordHash: row.password_hash,
          passwordResetRequired: row.password_reset_required === 1,
          createdAt: row.created_at,
        }
      );
    });
  }

  delete(userId: string): Promise<boolean> {
    return promised(
      () =>
        this.db.prepare('DELETE FROM iam_login_profiles WHERE user_id = ?').run(userId).changes > 0,
    );
  }
}
