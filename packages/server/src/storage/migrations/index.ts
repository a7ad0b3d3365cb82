// Every schema migration this release ships, in order. Drivers apply the pending ones on open;
// a new migration is a new `NNNN-name.ts` file appended here, never an edit to a shipped one.

import type { Migration } from './migration.js';
import * as initialSchema from './0001-initial-schema.js';
import * as iam from './0002-iam.js';
import * as documents from './0003-documents.js';
import * as sessionLogsAudit from './0005-session-logs-audit.js';

export * from './migration.js';

// 0004 (Run Command) lands on another branch. Until it is merged, 0005 runs in its place so the
// versions stay gapless; when merging, list 0004 then 0005 and drop this override (a duplicate
// version 4 is refused loudly by latestMigrationVersion, never applied twice).
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  iam,
  documents,
  { ...sessionLogsAudit, version: 4 },
];
