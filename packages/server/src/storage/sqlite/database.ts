// Opens the SQLite file the server keeps its state in, owner-only and configured for
// durability: a write has reached the disk before the promise that made it settles.

import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** How long a write waits for another connection's lock, in ms, unless configured. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export function openSqliteDatabase(path: string, busyTimeoutMs: number): SqliteDatabase {
  // ':memory:' and '' are special to SQLite (private, non-durable databases); the server's
  // state must survive a restart, so only a real file is accepted.
  if (path === '' || path === ':memory:') {
    throw new Error('the SQLite storage needs a file path; in-memory databases lose state');
  }
  // The database holds access-key secrets: create it owner-only before SQLite opens it (SQLite
  // would honour the umask, commonly 0644), and tighten a file an older setup left readable.
  // SQLite gives the -wal and -shm files the same mode as the database file.
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  // A second process (an admin command, a replica migrating) may hold the write lock briefly;
  // waiting for it beats failing the request.
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    // WAL lets readers proceed during a write; synchronous = FULL fsyncs the WAL on every
    // commit, so an acknowledged registration, session or token consumption survives a power
    // cut (NORMAL would only guarantee consistency, possibly losing the last commits).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Runs synchronous driver work as the interface's promise, so a failure rejects it rather than
 * throwing at the call site (callers of a networked driver could not tell the difference).
 */
export function promised<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}
