// Nodes that stop showing up (issue 9): with --node-inactive-after a node unseen that long is
// Inactive (filterable, decided before paging); with --node-deregister-after the maintenance
// sweep deregisters it — credentials revoked — and audits it as NodeAutoDeregistered. A node
// that keeps sending heartbeats is left alone. The server's clock is a test clock.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  DescribeInstanceInformationCommand,
  SSMClient,
  CreateActivationCommand,
} from '@aws-sdk/client-ssm';
import { SsmClient, createHttpClient } from '@openssm/agent';
import { startTestServer, type TestServer } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const MINUTE = 60_000;
let server: TestServer;
let clock = Date.now();
let ssm: SSMClient;

beforeEach(async () => {
  clock = Date.now();
  server = await startTestServer({
    now: () => clock,
    extraArgs: ['--node-inactive-after', '600', '--node-deregister-after', '3600'],
  });
  ssm = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
    // The SDK signs with the real time; keep its skew correction from hiding ours.
    systemClockOffset: 0,
  });
});
afterEach(async () => {
  ssm.destroy();
  await server.close();
});

async function register(activation: { ActivationId?: string; ActivationCode?: string }) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fingerprint = randomUUID();
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
      Fingerprint: fingerprint,
    }),
  });
  const instanceId = String(((await response.json()) as { InstanceId: string }).InstanceId);
  return { instanceId, privateKey, fingerprint };
}

/** What the agent's heartbeat does: credentials from its RSA key, then UpdateInstanceInformation. */
async function heartbeat(node: Awaited<ReturnType<typeof register>>) {
  const client = new SsmClient({
    serverUrl: server.url,
    region: server.region,
    http: createHttpClient(undefined),
    now: () => new Date(clock),
  });
  const credentials = await client.requestManagedInstanceRoleToken(
    { instanceId: node.instanceId, privateKey: node.privateKey },
    node.fingerprint,
  );
  await client.updateInstanceInformation(credentials, {
    instanceId: node.instanceId,
    agentName: 'amazon-ssm-agent',
    agentVersion: '0.1.0.0',
    agentStatus: 'Active',
    platformType: 'Linux',
    platformName: 'Test',
    platformVersion: '1',
    computerName: 'test',
    ipAddress: '127.0.0.1',
  });
}

async function byStatus(...statuses: string[]) {
  const listed = await server.server.services.instances.list(
    {
      pingStatus: {
        connectedIds: [],
        inactiveSince: clock - 600_000,
        online: statuses.includes('Online'),
        connectionLost: statuses.includes('ConnectionLost'),
        inactive: statuses.includes('Inactive'),
      },
    },
    { limit: 50 },
  );
  return listed.items.map((node) => node.instanceId).sort();
}

describe('unseen nodes', () => {
  it('are Inactive after --node-inactive-after and deregistered after --node-deregister-after, audited', async () => {
    const activation = await ssm.send(
      new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole', RegistrationLimit: 2 }),
    );
    const gone = await register(activation);
    const alive = await register(activation);
    await heartbeat(alive);

    clock += 20 * MINUTE;
    await heartbeat(alive);
    // Through the API, as an operator asks, with AWS's PingStatus filter.
    const listed = await fetchDescribe(['Inactive']);
    expect(listed).toEqual([{ id: gone.instanceId, ping: 'Inactive' }]);
    expect(await fetchDescribe(['ConnectionLost'])).toEqual([
      { id: alive.instanceId, ping: 'ConnectionLost' },
    ]);
    expect((await fetchDescribe(['Inactive', 'ConnectionLost'])).length).toBe(2);
    expect(await byStatus('Online')).toEqual([]);

    clock += 50 * MINUTE;
    await heartbeat(alive);
    clock += 20 * MINUTE; // gone: unseen 90 min; alive: 20 min (Inactive, not gone)
    const swept = await server.server.runMaintenance();
    expect(swept.nodesDeregistered).toBe(1);
    expect(await fetchDescribe(undefined)).toEqual([{ id: alive.instanceId, ping: 'Inactive' }]);
    // Its credentials are gone with it.
    await expect(heartbeat(gone)).rejects.toMatchObject({ awsCode: 'UnrecognizedClientException' });

    await server.server.services.audit.flush();
    const head = await server.server.services.audit.head();
    const rows = await server.server.services.audit.scan(1, head!.seq);
    const audited = rows.filter((row) => row.eventName === 'NodeAutoDeregistered');
    expect(audited).toHaveLength(1);
    expect(audited[0]!.resourceNames.join(' ')).toContain(gone.instanceId);
    expect(JSON.parse(audited[0]!.record)).toMatchObject({
      eventType: 'AwsServiceEvent',
      additionalEventData: { code: 'OS3005W' },
      serviceEventDetails: { instanceId: gone.instanceId, deregisterAfterSeconds: 3600 },
    });
  }, 30_000);
});

/** DescribeInstanceInformation signed with the test clock's date (the server checks skew). */
async function fetchDescribe(statuses: string[] | undefined) {
  const client = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
    systemClockOffset: clock - Date.now(),
  });
  try {
    const listed = await client.send(
      new DescribeInstanceInformationCommand(
        statuses === undefined ? {} : { Filters: [{ Key: 'PingStatus', Values: statuses }] },
      ),
    );
    return (listed.InstanceInformationList ?? [])
      .map((node) => ({ id: node.InstanceId, ping: node.PingStatus }))
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  } finally {
    client.destroy();
  }
}
