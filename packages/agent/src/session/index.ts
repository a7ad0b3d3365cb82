// The agent's shell-type sessions: Standard_Stream, InteractiveCommands, NonInteractiveCommands.

export * from './shell-session.js';
export * from './session-error.js';
export * from './session-process.js';
export * from './launch-plan.js';
export * from './run-as.js';
export * from './ensure-user.js';
export * from './user-directory.js';
export * from './command-runner.js';
export * from './command-line.js';
export * from './utf8-chunker.js';
export * from './process-tree.js';
export * from './close-inherited-fds.js';
export { spawnTerminal } from './terminal-process.js';
export { spawnPipes } from './pipe-process.js';
