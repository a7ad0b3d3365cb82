// A real `openssm-agent` process for tests: an activation made through the API, `register`
// with it, then `run`, resolved once the node's control channel is up. stop() ends it with
// SIGTERM (SIGKILL after 5 s); the state directory is the caller's to keep or remove.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { pollUntil } from './poll-until.js';
import type { TestServer } from './test-server.js';

const execFileAsync = promisify(execFile);
const BIN = resolve(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin');

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

export async function startTestAgent(
  server: TestServer,
  options: TestAgentOptions,
): Promise<TestAgent> {
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
  await execFileAsync(join(BIN, 'openssm-agent'), [
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
  const child = spawn(
    join(BIN, 'openssm-agent'),
    ['run', '--state-dir', options.stateDir, ...(options.runArgs ?? [])],
    {
      stdio: 'ignore',
    },
  );
  await pollUntil(
    () => (server.server.services.connections.isConnected(instanceId) ? true : undefined),
    `agent ${instanceId} to connect`,
  );
  return {
    instanceId,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
