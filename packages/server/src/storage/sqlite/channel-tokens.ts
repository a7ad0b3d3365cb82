// Single-use channel tokens in SQLite. Consumption is one conditional UPDATE, so of any number
// of racing requests (on any connection) exactly one gets the token.

import type { ChannelTokenKind, ChannelTokenRecord } from '../records.js';
import type { ChannelTokenRepository } from '../repositories.js';
import { promised, type SqliteDatabase } from './database.js';

interface ChannelTokenRow {
  readonly token_hash: string;
  readonly kind: ChannelTokenKind;
  readonly channel_id: string;
  readonly expires_at: number;
  readonly used_at: number | null;
}

export class SqliteChannelTokenRepository implements ChannelTokenRepository {
  private readonly insertToken;
  private readonly consumeToken;
  private readonly deleteExpiredTokens;

  constructor(db: SqliteDatabase) {
    this.insertToken = db.prepare(
      `INSERT INTO channel_tokens (token_hash, kind, channel_id, expires_at, used_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.consumeToken = db.prepare(
      `UPDATE channel_tokens SET used_at = ?
       WHERE token_hash = ? AND kind = ? AND channel_id = ? AND used_at IS NULL AND expires_at > ?
       RETURNING *`,
    );
    // Expired tokens go whether used or not; a used one is already inert (consume refuses it).
    this.deleteExpiredTokens = db.prepare('DELETE FROM channel_tokens WHERE expires_at <= ?');
  }

  insert(token: ChannelTokenRecord): Promise<void> {
    return promised(() => {
      this.insertToken.run(
        token.tokenHash,
        token.kind,
        token.channelId,
        token.expiresAt,
        token.usedAt,
      );
    });
  }

  consume(
    tokenHash: string,
    kind: ChannelTokenKind,
    channelId: string,
    now: number,
  ): Promise<ChannelTokenRecord | undefined> {
    return promised(() => {
      const row = this.consumeToken.get(now, tokenHash, kind, channelId, now) as
        ChannelTokenRow | undefined;
      return row && toRecord(row);
    });
  }

  deleteExpired(now: number): Promise<number> {
    return promised(() => this.deleteExpiredTokens.run(now).changes);
  }
}

function toRecord(row: ChannelTokenRow): ChannelTokenRecord {
  return {
    tokenHash: row.token_hash,
    kind: row.kind,
    channelId: row.channel_id,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}
