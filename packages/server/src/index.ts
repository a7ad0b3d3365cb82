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
