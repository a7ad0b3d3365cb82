// Public surface of the storage layer: records, repository interfaces, migrations, and the
// drivers. Only the composition root picks a driver; services depend on the interfaces.

export * from './records.js';
export * from './repositories.js';
export * from './pagination.js';
export * from './migrations/index.js';
export { openSqliteStorage, type SqliteStorageOptions } from './sqlite/sqlite-storage.js';
export * from './iam-records.js';
export * from './iam-repositories.js';
export * from './log-records.js';
export * from './log-repositories.js';
export * from './command-records.js';
export * from './command-repositories.js';
