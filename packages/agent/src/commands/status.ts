// `openssm-agent status`: what this node's state directory says — who it is, where its server is,
// how it trusts it — and whether the state looks usable (modes, key, cached credentials). It does
// not contact the server.

import { stat } from 'node:fs/promises';
import { formatAgentError } from '../agent-error.js';
import type { AgentConfig } from '../config/agent-config.js';
import { AgentState } from '../state/agent-state.js';
import { STATE_DIR_MODE, STATE_FILE_MODE } from '../state/state-files.js';
import { isAlive, readRuntimeStatus } from '../state/runtime-status.js';
import { PACKAGE_VERSION } from '../version.js';

export interface StatusReport {
  /** True when the node is registered and its state is usable. */
  readonly ok: boolean;
  readonly lines: readonly string[];
}

export async function describeStatus(
  config: Pick<AgentConfig, 'stateDir'>,
  now: number = Date.now(),
): Promise<StatusReport> {
  const state = new AgentState(config.stateDir);
  const lines: string[] = [];
  let ok = true;
  const problem = (line: string): void => {
    ok = false;
    lines.push(`${line}  [problem]`);
  };
  const mode = await modeOf(config.stateDir);
  if (mode === undefined) {
    return {
      ok: false,
      lines: [
        `State directory: ${config.stateDir} (missing)`,
        'Not registered: run `openssm-agent register`.',
      ],
    };
  }
  if (mode === STATE_DIR_MODE) lines.push(`State directory: ${config.stateDir}`);
  else
    problem(
      `State directory: ${config.stateDir} has mode ${octal(mode)}, expected ${octal(STATE_DIR_MODE)}`,
    );

  let registration;
  try {
    registration = await state.readRegistration();
  } catch (error) {
    problem(`Registration: ${formatAgentError(error)}`);
    return { ok, lines };
  }
  if (registration === undefined) {
    lines.push('Not registered: run `openssm-agent register`.');
    return { ok: false, lines };
  }
  lines.push(`Instance ID: ${registration.instanceId}`);
  lines.push(`Version: ${PACKAGE_VERSION}`);
  const runtime = await readRuntimeStatus(config.stateDir);
  if (runtime === undefined || !isAlive(runtime.pid)) {
    lines.push('Agent: not running');
  } else {
    lines.push(
      `Agent: running (pid ${runtime.pid}, version ${runtime.version}), ${
        runtime.connected ? 'connected to the server' : 'not connected to the server'
      } since ${runtime.since}`,
    );
  }
  lines.push(`Server: ${registration.serverUrl}`);
  lines.push(`Region: ${registration.region}`);
  lines.push(
    `TLS trust: ${
      registration.caFingerprint !== undefined
        ? `pinned SHA-256 ${registration.caFingerprint}`
        : registration.caFile !== undefined
          ? `system CAs and ${registration.caFile}`
          : registration.serverUrl.startsWith('https:')
            ? 'system CAs'
            : 'none (plain http)'
    }`,
  );
  for (const path of [
    state.registrationPath,
    state.privateKeyPath,
    state.credentialsPath,
    state.pendingKeyPath,
  ]) {
    const fileMode = await modeOf(path);
    if (fileMode !== undefined && fileMode !== STATE_FILE_MODE) {
      problem(`${path} has mode ${octal(fileMode)}, expected ${octal(STATE_FILE_MODE)}`);
    }
  }
  try {
    const key = await state.readPrivateKey();
    const created = registration.privateKeyCreatedAt;
    lines.push(
      `Private key: RSA ${key.asymmetricKeyDetails?.modulusLength ?? '?'} bits${
        created === undefined ? '' : `, created ${created}`
      }`,
    );
  } catch (error) {
    problem(`Private key: ${formatAgentError(error)}`);
  }
  try {
    if ((await state.readPendingKey()) !== undefined) {
      lines.push('Rotated key: pending (settled at the next credential request)');
    }
  } catch (error) {
    problem(`Rotated key: ${formatAgentError(error)}`);
  }
  const credentials = await state.readCredentials();
  if (credentials === undefined)
    lines.push('Credentials: none cached (obtained when the agent runs)');
  else if (credentials.expiresAt > now) {
    lines.push(`Credentials: valid until ${new Date(credentials.expiresAt).toISOString()}`);
  } else {
    lines.push(
      `Credentials: expired at ${new Date(credentials.expiresAt).toISOString()} (renewed when the agent runs)`,
    );
  }
  return { ok, lines };
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}
