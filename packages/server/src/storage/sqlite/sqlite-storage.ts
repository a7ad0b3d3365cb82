// The embedded storage driver: every repository over one SQLite connection, migrated on open.
// better-sqlite3 runs statements synchronously, so each method's work is done (and durable) by
// the time its promise settles.

import { MIGRATIONS, type Migration } from '../migrations/index.js';
import type { Storage } from '../repositories.js';
import { SqliteAccessKeyRepository } from './access-keys.js';
import { SqliteActivationRepository } from './activations.js';
import { SqliteChannelTokenRepository } from './channel-tokens.js';
import { SqliteCommandRepository } from './commands.js';
import { DEFAULT_BUSY_TIMEOUT_MS, openSqliteDatabase, promised } from './database.js';
import { SqliteDocumentRepository } from './documents.js';
import { createSqliteIamStorage } from './iam/index.js';
import { SqliteInstanceRepository } from './instances.js';
import { migrateSqlite, readSqliteSchemaVersion } from './migrations.js';
import { SqliteSessionRepository } from './sessions.js';
import { SqliteAuditRepository } from './audit.js';
import { SqliteLogRepository } from './logs.js';
import { SqliteRecordingRepository } from './recordings.js';

export interface SqliteStorageOptions {
  /** How long a write waits for another connection's lock before failing, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** The migrations to apply (default: every one this release ships); tests add their own. */
  readonly migrations?: readonly Migration[];
}

/**
 * Opens (creating it, mode 0600, when missing) the database file at `path` and applies pending
 * migrations. Rejects with `SchemaVersionError` when a newer release migrated the file.
 */
export function openSqliteStorage(
  path: string,
  options: SqliteStorageOptions = {},
): Promise<Storage> {
  return promised(() => {
    const db = openSqliteDatabase(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    try {
      migrateSqlite(db, options.migrations ?? MIGRATIONS);
    } catch (error) {
      db.close();
      throw error;
    }
    return {
      accessKeys: new SqliteAccessKeyRepository(db),
      activations: new SqliteActivationRepository(db),
      instances: new SqliteInstanceRepository(db),
      sessions: new SqliteSessionRepository(db),
      channelTokens: new SqliteChannelTokenRepository(db),
      iam: createSqliteIamStorage(db),
      documents: new SqliteDocumentRepository(db),
      logs: new SqliteLogRepository(db),
      recordings: new SqliteRecordingRepository(db),
      audit: new SqliteAuditRepository(db),
      commands: new SqliteCommandRepository(db),
      schemaVersion: () => promised(() => readSqliteSchemaVersion(db)),
      close: () =>
        promised(() => {
          db.close();
        }),
    };
  });
}
