// A real `openssm-agent` process for tests: an activation made through the API, `register`
// with it, then `run`, resolved once the node's control channel is up. stop() ends it with
// SIGTERM (SIGKILL after 5 s); the state directory is the caller's to keep or remove.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { WORKSPACE_BIN } from './operator.js';
import { pollUntil } from './poll-until.js';
import type { TestServer } from './test-server.js';

const execFileAsync = promisify(execFile);

export interface TestAgentOptions {
  readonly stateDir: string;
  /** The activation's default instance name. */
  readonly name?: string;
  /** Tags the node gets at registration (from its activation). */
  readonly tags?: Readonly<Record<string, string>>;
  readonly iamRole?: string;
  /** More `openssm-agent run` flags, e.g. `['--port-forward-deny', 'none']`. */
  readonly runArgs?: readonly string[];
}

export interface TestAgent {
  readonly instanceId: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface TestAgentRegistration {
  readonly instanceId: string;
  readonly stateDir: string;
}

/** An activation made through the API, then `openssm-agent register` with it. */
export async function registerTestAgent(
  server: TestServer,
  options: TestAgentOptions,
): Promise<TestAgentRegistration> {
  const ssm = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
  });
  let activation;
  try {
    activation = await ssm.send(
      new CreateActivationCommand({
        IamRole: options.iamRole ?? 'OpenSSMNodeRole',
        ...(options.name === undefined ? {} : { DefaultInstanceName: options.name }),
        Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  } finally {
    ssm.destroy();
  }
  await execFileAsync(join(WORKSPACE_BIN, 'openssm-agent'), [
    'register',
    '--server',
    server.directUrl,
    '--activation-code',
    activation.ActivationCode!,
    '--activation-id',
    activation.ActivationId!,
    '--state-dir',
    options.stateDir,
  ]);
  const { instanceId } = JSON.parse(
    await readFile(join(options.stateDir, 'registration.json'), 'utf8'),
  ) as { instanceId: string };
  return { instanceId, stateDir: options.stateDir };
}

/** `openssm-agent run` on a registered state directory; does not wait for it to connect. */
export function spawnTestAgent(stateDir: string, runArgs: readonly string[] = []): ChildProcess {
  return spawn(join(WORKSPACE_BIN, 'openssm-agent'), ['run', '--state-dir', stateDir, ...runArgs], {
    stdio: 'ignore',
  });
}

/** Registers and runs an agent, resolved once the node's control channel is up. */
export async function startTestAgent(
  server: TestServer,
  options: TestAgentOptions,
): Promise<TestAgent> {
  const { instanceId } = await registerTestAgent(server, options);
  const child = spawnTestAgent(options.stateDir, options.runArgs);
  await pollUntil(
    () => (server.server.services.connections.isConnected(instanceId) ? true : undefined),
    `agent ${instanceId} to connect`,
  );
  return {
    instanceId,
    process: child,
    stop: () => stopProcess(child),
  };
}

/** SIGTERM (or `signal`), then SIGKILL after 5 s; resolves once the process has exited. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
