// Onboarding a fleet (issue 9): one reusable activation registers up to its limit, each node
// with the activation's default name and tags, and the next one is refused with a message that
// says why; a re-imaged machine registers as a new node; DeregisterManagedInstance ends the
// node's sessions, closes its control channel and revokes its credentials at once.

import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateActivationCommand,
  DeregisterManagedInstanceCommand,
  DescribeInstanceInformationCommand,
  ListTagsForResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  operatorEnvironment,
  pollUntil,
  startPipedSession,
  startTestAgent,
  startTestServer,
  type TestServer,
} from '@openssm/testkit';
import { AgentState, SsmClient, createHttpClient } from '@openssm/agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const execFileAsync = promisify(execFile);
const BIN = resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin');
const AGENT = join(BIN, 'openssm-agent');

let server: TestServer;
let ssm: SSMClient;
let workDir: string;

beforeEach(async () => {
  server = await startTestServer();
  ssm = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
  });
  workDir = await mkdtemp(join(tmpdir(), 'openssm-fleet-'));
});
afterEach(async () => {
  ssm.destroy();
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

/** RegisterManagedInstance as the agent sends it (unsigned; the activation is the credential). */
async function register(activation: { ActivationId?: string; ActivationCode?: string }) {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const response = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.RegisterManagedInstance',
    },
    body: JSON.stringify({
      ActivationCode: activation.ActivationCode,
      ActivationId: activation.ActivationId,
      PublicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      PublicKeyType: 'Rsa',
      Fingerprint: randomUUID(),
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function agentRegister(
  activation: { ActivationId?: string; ActivationCode?: string },
  stateDir: string,
) {
  return execFileAsync(AGENT, [
    'register',
    '--server',
    server.url,
    '--activation-code',
    activation.ActivationCode!,
    '--activation-id',
    activation.ActivationId!,
    '--state-dir',
    stateDir,
  ]);
}

describe('fleet activations', () => {
  it('registers twenty nodes with the default name and tags, and refuses the 21st clearly', async () => {
    const activation = await ssm.send(
      new CreateActivationCommand({
        IamRole: 'OpenSSMNodeRole',
        RegistrationLimit: 20,
        DefaultInstanceName: 'asg-web',
        Tags: [
          { Key: 'Env', Value: 'prod' },
          { Key: 'Fleet', Value: 'web' },
        ],
      }),
    );
    const ids: string[] = [];
    // Nineteen as the agent's API call, the twentieth with the real agent.
    for (let i = 0; i < 19; i++) {
      const registered = await register(activation);
      expect(registered.status).toBe(200);
      ids.push(String(registered.body['InstanceId']));
    }
    const lastDir = join(workDir, 'node-20');
    const { stdout } = await agentRegister(activation, lastDir);
    ids.push(stdout.trim());
    expect(new Set(ids).size).toBe(20);

    const listed = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: 'tag:Fleet', Values: ['web'] }],
        MaxResults: 50,
      }),
    );
    expect(listed.InstanceInformationList).toHaveLength(20);
    for (const node of listed.InstanceInformationList ?? []) expect(node.Name).toBe('asg-web');
    const tags = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: ids[19]! }),
    );
    expect(tags.TagList).toEqual(
      expect.arrayContaining([
        { Key: 'Env', Value: 'prod' },
        { Key: 'Fleet', Value: 'web' },
      ]),
    );

    // The 21st machine: the agent exits non-zero, saying what happened, and writes no state.
    const refused = agentRegister(activation, join(workDir, 'node-21'));
    await expect(refused).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'The activation has reached its registration limit of 20.',
      ) as unknown,
    });
    await expect(readFile(join(workDir, 'node-21', 'registration.json'))).rejects.toThrow();
    expect((await register(activation)).body).toMatchObject({ __type: 'InvalidActivation' });
  }, 60_000);

  it('lets a node choose its name and add tags, never change the activation’s tags', async () => {
    const activation = await ssm.send(
      new CreateActivationCommand({
        IamRole: 'OpenSSMNodeRole',
        DefaultInstanceName: 'default-name',
        Tags: [{ Key: 'Env', Value: 'prod' }],
      }),
    );
    const { stdout } = await execFileAsync(AGENT, [
      'register',
      '--server',
      server.url,
      '--activation-code',
      activation.ActivationCode!,
      '--activation-id',
      activation.ActivationId!,
      '--state-dir',
      join(workDir, 'named'),
      '--name',
      'db-7',
      '--tags',
      'Env=dev,Team=data',
    ]);
    const instanceId = stdout.trim();
    const node = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: 'InstanceIds', Values: [instanceId] }],
      }),
    );
    expect(node.InstanceInformationList?.[0]?.Name).toBe('db-7');
    const tags = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId }),
    );
    expect(tags.TagList).toEqual([
      { Key: 'Env', Value: 'prod' },
      { Key: 'Team', Value: 'data' },
    ]);
  }, 30_000);

  it('gives a re-imaged machine (fresh state) a new identity; the old one stays until deregistered', async () => {
    const activation = await ssm.send(
      new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole', RegistrationLimit: 5 }),
    );
    const first = (await agentRegister(activation, join(workDir, 'disk-1'))).stdout.trim();
    const second = (await agentRegister(activation, join(workDir, 'disk-2'))).stdout.trim();
    expect(second).toMatch(/^mi-[0-9a-f]{17}$/);
    expect(second).not.toBe(first);
    // Registering over an existing identity needs --force, and then it is a new node too.
    await expect(agentRegister(activation, join(workDir, 'disk-1'))).rejects.toMatchObject({
      stderr: expect.stringContaining('already registered') as unknown,
    });
  }, 30_000);
});

describe('openssm activation create --fleet', () => {
  it('creates a fleet activation and prints cloud-init user data that installs with it', async () => {
    const { stdout, stderr } = await execFileAsync(
      join(BIN, 'openssm'),
      [
        'activation',
        'create',
        '--fleet',
        '--name',
        'asg-web',
        '--tags',
        'Env=prod,Role=web',
        '--limit',
        '20',
      ],
      {
        env: operatorEnvironment(server, workDir),
      },
    );
    expect(stderr).toMatch(/up to 20 node\(s\), for 30 day\(s\)/);
    expect(stdout.startsWith('#cloud-config\n')).toBe(true);
    const userData = parseYaml(stdout) as { runcmd: string[][] };
    const [shell, flag, command] = userData.runcmd[0]!;
    expect([shell, flag]).toEqual(['sh', '-c']);
    const match =
      /^curl -fsSL (\S+) \| sh -s -- --activation-code (\S+) --activation-id (\S+)$/.exec(command!);
    expect(match?.[1]).toBe(`${server.url}/install.sh`);
    // The code and id it printed are the activation's: a node registers with them and gets its tags.
    const stateDir = join(workDir, 'from-user-data');
    const instanceId = (
      await agentRegister({ ActivationCode: match![2]!, ActivationId: match![3]! }, stateDir)
    ).stdout.trim();
    const node = await ssm.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: 'InstanceIds', Values: [instanceId] }],
      }),
    );
    expect(node.InstanceInformationList?.[0]?.Name).toBe('asg-web');
    const tags = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId }),
    );
    expect(tags.TagList).toEqual(
      expect.arrayContaining([
        { Key: 'Env', Value: 'prod' },
        { Key: 'Role', Value: 'web' },
      ]),
    );
  }, 30_000);
});

describe('openssm-agent deregister (uninstall)', () => {
  it('lets a node deregister itself and no other node', async () => {
    const activation = await ssm.send(
      new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole', RegistrationLimit: 2 }),
    );
    const leaving = join(workDir, 'leaving');
    const staying = join(workDir, 'staying');
    const leavingId = (await agentRegister(activation, leaving)).stdout.trim();
    const stayingId = (await agentRegister(activation, staying)).stdout.trim();

    // With its own credentials, the leaving node tries to deregister the other one: denied.
    const state = new AgentState(leaving);
    const registration = (await state.readRegistration())!;
    const client = new SsmClient({
      serverUrl: server.url,
      region: server.region,
      http: createHttpClient(undefined),
    });
    const credentials = await client.requestManagedInstanceRoleToken(
      { instanceId: leavingId, privateKey: await state.readPrivateKey() },
      registration.fingerprint,
    );
    await expect(client.deregisterManagedInstance(credentials, stayingId)).rejects.toMatchObject({
      awsCode: 'AccessDeniedException',
    });

    const { stdout } = await execFileAsync(AGENT, ['deregister', '--state-dir', leaving]);
    expect(stdout.trim()).toBe(leavingId);
    await expect(readFile(join(leaving, 'registration.json'))).rejects.toThrow();
    const listed = await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(listed.InstanceInformationList?.map((node) => node.InstanceId)).toEqual([stayingId]);
  }, 30_000);
});

describe('DeregisterManagedInstance', () => {
  it('ends the node’s session, closes its control channel and stops the agent at once', async () => {
    const agent = await startTestAgent(server, {
      stateDir: join(workDir, 'agent'),
      name: 'doomed',
    });
    const session = startPipedSession(server, agent.instanceId);
    try {
      session.type('echo $((6*7))');
      await session.waitFor(/^42\r?$/m, 'the shell to answer');
      const agentExit = new Promise<number | null>((done) =>
        agent.process.once('exit', (code) => done(code)),
      );
      await ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: agent.instanceId }));

      // The client is told and exits; nobody waited for a credential to expire.
      expect(await session.exited).toBe(0);
      expect(session.output()).toContain('The node was deregistered.');
      await pollUntil(
        () => !server.server.services.connections.isConnected(agent.instanceId),
        'the control channel to close',
        5_000,
      );
      // The agent's cached credentials no longer work: it learns it is deregistered and stops
      // with EX_CONFIG (78), which its service unit does not restart.
      expect(await agentExit).toBe(78);
      const listed = await ssm.send(new DescribeInstanceInformationCommand({}));
      expect(listed.InstanceInformationList?.map((node) => node.InstanceId)).not.toContain(
        agent.instanceId,
      );
    } finally {
      await session.stop();
      await agent.stop();
    }
  }, 60_000);
});
