// The `openssm-agent` command line: parses the verb and its flags, runs the command and maps the
// outcome to an exit status — 0 done, 1 failed, 2 usage, 78 the server refuses this node (EX_CONFIG,
// so a service manager can stop restarting it). `run` stops cleanly on SIGTERM/SIGINT.

import { AgentError, formatAgentError } from '../agent-error.js';
import { ConfigError, resolveAgentConfig } from '../config/agent-config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { PACKAGE_VERSION } from '../version.js';
import { Agent, EXIT_REGISTRATION_REJECTED, type AgentDependencies } from './agent.js';
import { deregisterNode } from './deregister.js';
import { registerNode } from './register.js';
import { updateAgent } from './update.js';
import { describeStatus } from './status.js';

export const USAGE = `Usage:
  openssm-agent register --server URL --activation-code CODE --activation-id ID
                         [--region REGION] [--ca-file FILE | --ca-fingerprint SHA256]
                         [--state-dir DIR] [--force] [--log-level LEVEL]
  openssm-agent run      [--state-dir DIR] [--ca-file FILE | --ca-fingerprint SHA256]
                         [--heartbeat-interval S] [--key-rotation-days D] [--log-level LEVEL]
  openssm-agent status   [--state-dir DIR]
  openssm-agent deregister [--state-dir DIR]   (leave the fleet: the server forgets the node)
  openssm-agent update   [--state-dir DIR] [--install-dir DIR]   (the server's newer bundle)
Every option also reads an OPENSSM_AGENT_* environment variable (see docs/configuration.md).`;

export interface CliEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Calls `stop` once on SIGTERM or SIGINT (the bin wires process signals). */
  readonly onStopSignal: (stop: (signal: string) => void) => void;
  /** Replaces the JSON-lines logger on stderr (tests). */
  readonly log?: Logger;
  readonly agent?: AgentDependencies;
}

/** Runs one command; resolves with the exit status (never rejects for operational errors). */
export async function runCli(argv: readonly string[], io: CliEnvironment): Promise<number> {
  const [command, ...flags] = argv;
  if (
    command === undefined ||
    command === '--help' ||
    command === '-h' ||
    flags.includes('--help')
  ) {
    (command === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    io.stdout(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  let config;
  try {
    config = resolveAgentConfig(command, flags, io.env, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`openssm-agent: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  const log = io.log ?? createLogger(config.logLevel, io.stderr);
  try {
    switch (config.command) {
      case 'register': {
        const registration = await registerNode(config, log);
        // Only the id on stdout, so scripts can capture it.
        io.stdout(`${registration.instanceId}\n`);
        return 0;
      }
      case 'deregister': {
        const { instanceId } = await deregisterNode(config, log);
        io.stdout(`${instanceId}\n`);
        return 0;
      }
      case 'update': {
        const outcome = await updateAgent(config, log);
        io.stdout(
          outcome.updated
            ? `updated ${outcome.from} -> ${outcome.to}\n`
            : `up to date (${outcome.from}; the server advertises ${outcome.to})\n`,
        );
        return 0;
      }
      case 'status': {
        const report = await describeStatus(config);
        io.stdout(`${report.lines.join('\n')}\n`);
        return report.ok ? 0 : 1;
      }
      case 'run': {
        const agent = await Agent.load(config, { log, ...io.agent });
        io.onStopSignal((signal) => {
          log.info('stop signal received', { signal });
          void agent.stop();
        });
        await agent.start();
        return await agent.exited;
      }
    }
  } catch (error) {
    io.stderr(`openssm-agent ${config.command}: ${formatAgentError(error)}\n`);
    return error instanceof AgentError && error.code === 'RegistrationRejected'
      ? EXIT_REGISTRATION_REJECTED
      : 1;
  }
}
