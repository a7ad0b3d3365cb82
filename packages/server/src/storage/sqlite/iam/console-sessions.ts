// Console sign-in sessions in SQLite: looked up by the SHA-256 of the cookie token, removed with
// their user (foreign key), swept when expired, and capped per user.

import type { ConsoleSessionRecord } from '../../iam-records.js';
import type { ConsoleSessionRepository } from '../../iam-repositories.js';
import { promised, type SqliteDatabase } from '../database.js';

interface SessionRow {
  readonly token_hash: string;
  readonly user_id: string;
  readonly multi_factor: number;
  readonly created_at: number;
  readonly last_used_at: number;
  readonly expires_at: number;
}

export class SqliteConsoleSessionRepository implements ConsoleSessionRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(session: ConsoleSessionRecord): Promise<void> {
    return promised(() => {
      this.db
        .prepare(
          `INSERT INTO console_sessions
             (token_hash, user_id, multi_factor, created_at, last_used_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          session.tokenHash,
          session.userId,
          session.multiFactor ? 1 : 0,
          session.createdAt,
          session.lastUsedAt,
          session.expiresAt,
        );
    });
  }

  get(tokenHash: string): Promise<ConsoleSessionRecord | undefined> {
    return promised(() => {
      const row = this.db
        .prepare('SELECT * FROM console_sessions WHERE token_hash = ?')
        .get(tokenHash) as SessionRow | undefined;
      return (
        row && {
          tokenHash: row.token_hash,
          userId: row.user_id,
          multiFactor: row.multi_factor === 1,
          createdAt: row.created_at,
          lastUsedAt: row.last_used_at,
          expiresAt: row.expires_at,
        }
      );
    });
  }

  touch(tokenHash: string, lastUsedAt: number): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            // Never backwards: two replicas refreshing at once keep the later time.
            `UPDATE console_sessions SET last_used_at = MAX(last_used_at, ?) WHERE token_hash = ?`,
          )
          .run(lastUsedAt, tokenHash).changes > 0,
    );
  }

  setMultiFactor(tokenHash: string): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare('UPDATE console_sessions SET multi_factor = 1 WHERE token_hash = ?')
          .run(tokenHash).changes > 0,
    );
  }

  delete(tokenHash: string): Promise<boolean> {
    return promised(
      () =>
        this.db.prepare('DELETE FROM console_sessions WHERE token_hash = ?').run(tokenHash)
          .changes > 0,
    );
  }

  deleteForUser(userId: string): Promise<number> {
    return promised(
      () => this.db.prepare('DELETE FROM console_sessions WHERE user_id = ?').run(userId).changes,
    );
  }

  deleteExpired(now: number, idleBefore: number): Promise<number> {
    return promised(
      () =>
        this.db
          .prepare('DELETE FROM console_sessions WHERE expires_at <= ? OR last_used_at < ?')
          .run(now, idleBefore).changes,
    );
  }

  trimUser(userId: string, keep: number): Promise<number> {
    return promised(
      () =>
        this.db
          .prepare(
            `DELETE FROM console_sessions WHERE user_id = ? AND token_hash NOT IN (
               SELECT token_hash FROM console_sessions WHERE user_id = ?
               ORDER BY created_at DESC, token_hash LIMIT ?)`,
          )
          .run(userId, userId, keep).changes,
    );
  }
}
