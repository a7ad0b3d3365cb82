// @openssm/server: the control plane and message gateway. The composition root and its
// configuration are the public surface; everything else is internal.

export { startServer, DATABASE_FILE, type RunningServer, type StartOptions } from './app.js';
export {
  resolveServerConfig,
  renderConfigurationDocs,
  ConfigError,
  SERVER_OPTIONS,
  type ServerConfig,
} from './config/server-config.js';
export { silentLogger, createLogger, type Logger } from './logging/logger.js';
// Every operation the server answers, for tests that must cover them all (authorization).
export { SSM_OPERATIONS } from './api/ssm-operations.js';
export { IAM_OPERATIONS } from './api/iam/iam-operations.js';
export { STS_OPERATIONS } from './api/sts/sts-operations.js';
export { LOGS_OPERATIONS } from './api/logs/logs-operations.js';
export { CLOUDTRAIL_OPERATIONS } from './api/cloudtrail/cloudtrail-operations.js';
export { OPENSSM_OPERATIONS } from './api/openssm/openssm-operations.js';
export { AUDIT_EVENTS, renderAuditEventTable } from './audit/audit-events.js';
export type { ObjectStore, ObjectLocation } from './storage/objects/object-store.js';
export { FilesystemObjectStore } from './storage/objects/filesystem-object-store.js';
export type { LogService } from './services/log-service.js';
