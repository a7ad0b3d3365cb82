// @openssm/cli: the `openssm` operator CLI and the `session-manager-plugin` executable. The
// entry points take a Host so tests (and embedders) can run them in-process.

export const CLI_PACKAGE = '@openssm/cli';

export type { Host, Terminal, TerminalSize, SignalSource, Env } from './host/host.js';
export { runPlugin, type PluginDependencies } from './plugin/run-plugin.js';
export { parsePluginArgv, type PluginInvocation } from './plugin/plugin-argv.js';
export { runOpenssm, type RunOpenssmDependencies } from './commands/run-openssm.js';
export {
  runShellSession,
  type ShellSessionOptions,
  type ShellSessionOutcome,
} from './session/shell-session.js';
export { PLUGIN_VERSION, OPENSSM_VERSION } from './version.js';
