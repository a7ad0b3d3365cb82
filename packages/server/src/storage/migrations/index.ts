// Every schema migration this release ships, in order. Drivers apply the pending ones on open;
// a new migration is a new `NNNN-name.ts` file appended here, never an edit to a shipped one.

import type { Migration } from './migration.js';
import * as initialSchema from './0001-initial-schema.js';
import * as iam from './0002-iam.js';
import * as documents from './0003-documents.js';
import * as runCommand from './0004-run-command.js';
import * as sessionLogsAudit from './0005-session-logs-audit.js';
import * as consoleMfa from './0006-console-mfa.js';
import * as consoleSessions from './0007-console-sessions.js';

export * from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  iam,
  documents,
  runCommand,
  sessionLogsAudit,
  consoleMfa,
  consoleSessions,
];
