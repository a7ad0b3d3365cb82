// Runs the storage compliance suite against the SQLite driver on a real file in a fresh temp
// directory per test, plus what only SQLite has: file permissions and connection pragmas.

import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStorage, type Storage } from '../../src/storage/index.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { describeStorageCompliance } from './compliance.js';

function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'openssm-storage-'));
}

describeStorageCompliance('sqlite', async () => {
  const directory = temporaryDirectory();
  const path = join(directory, 'openssm.db');
  const opened: Storage[] = [await openSqliteStorage(path)];
  return {
    storage: opened[0]!,
    openAgain: async (options) => {
      const storage = await openSqliteStorage(path, options);
      opened.push(storage);
      return storage;
    },
    cleanup: async () => {
      for (const storage of opened) await storage.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describe('sqlite storage file', () => {
  let directory: string;
  let path: string;

  beforeEach(() => {
    directory = temporaryDirectory();
    path = join(directory, 'openssm.db');
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function mode(file: string): number {
    return statSync(file).mode & 0o777;
  }

  it('creates the database and its WAL files readable by the owner only', async () => {
    const storage = await openSqliteStorage(path);
    await storage.channelTokens.insert({
      tokenHash: 'a'.repeat(64),
      kind: 'client-data',
      channelId: 'admin-0123456789abcdef0',
      expiresAt: 1,
      usedAt: null,
    });
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    await storage.close();
  });

  it('tightens an existing database file left readable by others', async () => {
    await (await openSqliteStorage(path)).close();
    chmodSync(path, 0o644);
    const storage = await openSqliteStorage(path);
    expect(mode(path)).toBe(0o600);
    await storage.close();
  });

  it('opens connections in WAL mode, fully synchronous, with foreign keys on', () => {
    const db = openSqliteDatabase(path, 1234);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 = FULL: every commit is fsynced before it returns.
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      db.close();
    }
  });

  it('refuses an in-memory database, whose state would not survive a restart', async () => {
    await expect(openSqliteStorage(':memory:')).rejects.toThrow(/file path/);
    await expect(openSqliteStorage('')).rejects.toThrow(/file path/);
  });

  it('rejects a path whose directory does not exist', async () => {
    await expect(openSqliteStorage(join(directory, 'missing', 'openssm.db'))).rejects.toThrow(
      /ENOENT/,
    );
  });

  it('rejects a file that is not a SQLite database', async () => {
    writeFileSync(path, 'this is not a database, and it is long enough to have a header...');
    await expect(openSqliteStorage(path)).rejects.toThrow(/not a database/);
  });
});
