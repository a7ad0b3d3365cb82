// Applies pending schema migrations to a SQLite database, each in its own transaction with its
// `schema_migrations` row, and refuses a database that a newer release has migrated.

import {
  assertSchemaNotNewer,
  latestMigrationVersion,
  type Migration,
} from '../migrations/index.js';
import type { SqliteDatabase } from './database.js';

export function migrateSqlite(db: SqliteDatabase, migrations: readonly Migration[]): void {
  const known = latestMigrationVersion(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`);
  assertSchemaNotNewer(readSqliteSchemaVersion(db), known);
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const migration of migrations) {
    // IMMEDIATE takes the write lock before reading the version, so two processes opening the
    // same file at once apply each migration once: the second sees it applied and skips it.
    db.transaction(() => {
      if (readSqliteSchemaVersion(db) >= migration.version) return;
      db.exec(migration.up);
      record.run(migration.version, migration.name, Date.now());
    }).immediate();
  }
}

export function readSqliteSchemaVersion(db: SqliteDatabase): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}
