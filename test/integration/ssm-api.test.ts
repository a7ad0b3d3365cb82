// The SSM API end to end with real clients: the AWS SDK for JavaScript and Debian's AWS CLI v2
// against a real server on 127.0.0.1:0 with SQLite — activations, registration with an RSA key,
// node credentials, heartbeats, tags, deregistration, and AWS's error codes.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import {
  AddTagsToResourceCommand,
  CreateActivationCommand,
  DeleteActivationCommand,
  DeregisterManagedInstanceCommand,
  DescribeActivationsCommand,
  DescribeInstanceInformationCommand,
  GetConnectionStatusCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import { signJsonRequestWithRsa } from '@openssm/agent';
import {
  runAwsCli,
  signedSsmCall,
  startTestServer,
  type Credentials,
  type TestServer,
} from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let server: TestServer;
let clock = Date.now();

beforeEach(async () => {
  clock = Date.now();
  server = await startTestServer({ now: () => clock });
});
afterEach(async () => {
  await server.close();
});

function client(
  credentials = server.adminCredentials as SSMClientConfig['credentials'],
  extra: Partial<SSMClientConfig> = {},
): SSMClient {
  return new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials,
    maxAttempts: 1,
    ...extra,
  });
}

/** POSTs one JSON 1.1 call with the given headers; returns status, body and headers. */
async function rawCall(target: string, body: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonSSM.${target}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    requestId: response.headers.get('x-amzn-requestid'),
  };
}

interface Node {
  readonly instanceId: string;
  readonly fingerprint: string;
  readonly privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'];
}

async function createActivation(limit = 2, extra: object = {}) {
  return client().send(
    new CreateActivationCommand({
      IamRole: 'OpenSSMNodeRole',
      RegistrationLimit: limit,
      DefaultInstanceName: 'web-1',
      Tags: [{ Key: 'Env', Value: 'prod' }],
      ...extra,
    }),
  );
}

async function registerNode(activation: { ActivationId?: string; ActivationCode?: string }) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fingerprint = randomUUID();
  const response = await rawCall('RegisterManagedInstance', {
    ActivationCode: activation.ActivationCode,
    ActivationId: activation.ActivationId,
    PublicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    PublicKeyType: 'Rsa',
    Fingerprint: fingerprint,
  });
  return {
    response,
    node: { instanceId: String(response.body['InstanceId']), fingerprint, privateKey },
  };
}

async function nodeCredentials(node: Node) {
  const body = JSON.stringify({ Fingerprint: node.fingerprint });
  const headers = signJsonRequestWithRsa(
    { host: new URL(server.url).host, target: 'AmazonSSM.RequestManagedInstanceRoleToken', body },
    { instanceId: node.instanceId, privateKey: node.privateKey, region: server.region },
    new Date(clock),
  );
  const response = await fetch(`${server.url}/`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A SigV4-signed call of an operation the SDK does not model (as amazon-ssm-agent sends it). */
function signedCall(target: string, body: object, credentials: Credentials) {
  return signedSsmCall(server.url, target, body, credentials, server.region, new Date(clock));
}

function runAws(args: string[], credentials = server.adminCredentials) {
  return runAwsCli(server, args, { credentials });
}

describe('first start', () => {
  it('writes the administrator’s credentials once, in the credentials-file format, mode 0600', async () => {
    const { path } = server.server.adminCredentials;
    expect(server.server.adminCredentials.created).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toMatch(
      /^\[default\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S{40}\n$/,
    );
    const again = await startTestServer({ dataDir: server.dataDir });
    try {
      expect(again.server.adminCredentials.created).toBe(false);
      expect(again.adminCredentials).toEqual(server.adminCredentials);
    } finally {
      await again.close();
    }
  });
});

describe('activations and registration', () => {
  it('creates, lists and deletes activations', async () => {
    const created = await createActivation(3, { Description: 'fleet' });
    expect(created.ActivationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.ActivationCode).toHaveLength(20);
    const listed = await client().send(new DescribeActivationsCommand({}));
    expect(listed.ActivationList).toEqual([
      expect.objectContaining({
        ActivationId: created.ActivationId,
        Description: 'fleet',
        IamRole: 'OpenSSMNodeRole',
        RegistrationLimit: 3,
        RegistrationsCount: 0,
        Expired: false,
        Tags: [{ Key: 'Env', Value: 'prod' }],
      }),
    ]);
    await client().send(new DeleteActivationCommand({ ActivationId: created.ActivationId }));
    await expect(
      client().send(new DeleteActivationCommand({ ActivationId: created.ActivationId })),
    ).rejects.toMatchObject({ name: 'InvalidActivationId' });
  });

  it('registers nodes up to the limit, refuses a wrong code, the limit and expiry', async () => {
    const activation = await createActivation(1);
    const wrong = await registerNode({ ...activation, ActivationCode: 'x'.repeat(20) });
    expect(wrong.response).toMatchObject({ status: 400, body: { __type: 'InvalidActivation' } });
    const first = await registerNode(activation);
    expect(first.response.status).toBe(200);
    expect(first.node.instanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    const second = await registerNode(activation);
    expect(second.response.body).toMatchObject({
      __type: 'InvalidActivation',
      message: expect.stringContaining('registration limit') as unknown,
    });
    const expiring = await createActivation(5, { ExpirationDate: new Date(clock + 60_000) });
    clock += 120_000;
    const late = await registerNode(expiring);
    expect(late.response.body).toMatchObject({
      __type: 'InvalidActivation',
      message: 'The activation has expired.',
    });
  });

  it('gives a node credentials for its RSA key, then heartbeats show in DescribeInstanceInformation', async () => {
    const { node } = await registerNode(await createActivation());
    const issued = await nodeCredentials(node);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({
      AccessKeyId: expect.stringMatching(/^ASIA/) as unknown,
      UpdateKeyPair: false,
    });
    const credentials = {
      accessKeyId: String(issued.body['AccessKeyId']),
      secretAccessKey: String(issued.body['SecretAccessKey']),
      sessionToken: String(issued.body['SessionToken']),
    };
    const nodeClient = client(credentials);
    clock += 5_000;
    const heartbeat = await signedCall(
      'UpdateInstanceInformation',
      {
        InstanceId: node.instanceId,
        AgentName: 'amazon-ssm-agent',
        AgentVersion: '3.3.987.0',
        PlatformType: 'Linux',
        PlatformName: 'Debian GNU/Linux',
        PlatformVersion: '12',
        ComputerName: 'web-1.internal',
        IPAddress: '10.0.0.7',
      },
      credentials,
    );
    expect(heartbeat).toEqual({ status: 200, body: {} });
    // A node reports for itself only.
    const other = await signedCall(
      'UpdateInstanceInformation',
      { InstanceId: 'mi-00000000000000000' },
      credentials,
    );
    expect(other.body).toMatchObject({ __type: 'AccessDeniedException' });
    const list = await client().send(new DescribeInstanceInformationCommand({}));
    expect(list.InstanceInformationList).toEqual([
      expect.objectContaining({
        InstanceId: node.instanceId,
        PingStatus: 'ConnectionLost',
        Name: 'web-1',
        IamRole: 'OpenSSMNodeRole',
        ResourceType: 'ManagedInstance',
        AgentVersion: '3.3.987.0',
        PlatformType: 'Linux',
        PlatformName: 'Debian GNU/Linux',
        ComputerName: 'web-1.internal',
        IPAddress: '10.0.0.7',
        LastPingDateTime: new Date(clock),
      }),
    ]);
    await expect(
      nodeClient.send(new GetConnectionStatusCommand({ Target: node.instanceId })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    // A node cannot act as an administrator.
    await expect(nodeClient.send(new DescribeActivationsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('refuses credentials for a wrong fingerprint or a key the node does not hold', async () => {
    const { node } = await registerNode(await createActivation());
    expect((await nodeCredentials({ ...node, fingerprint: randomUUID() })).body).toMatchObject({
      __type: 'InvalidKeyId',
    });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await nodeCredentials({ ...node, privateKey: stranger })).body).toMatchObject({
      __type: 'InvalidSignatureException',
    });
  });

  it('tags nodes, filters by tag, and revokes credentials on deregistration', async () => {
    const activation = await createActivation(2);
    const { node: web } = await registerNode(activation);
    const { node: db } = await registerNode(activation);
    await client().send(
      new AddTagsToResourceCommand({
        ResourceType: 'ManagedInstance',
        ResourceId: db.instanceId,
        Tags: [{ Key: 'Role', Value: 'db' }],
      }),
    );
    const tags = await client().send(
      new ListTagsForResourceCommand({
        ResourceType: 'ManagedInstance',
        ResourceId: db.instanceId,
      }),
    );
    expect(tags.TagList).toEqual(
      expect.arrayContaining([
        { Key: 'Env', Value: 'prod' },
        { Key: 'Role', Value: 'db' },
      ]),
    );
    const filtered = await client().send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:Role', Values: ['db'] }] }),
    );
    expect(filtered.InstanceInformationList?.map((i) => i.InstanceId)).toEqual([db.instanceId]);
    await client().send(
      new RemoveTagsFromResourceCommand({
        ResourceType: 'ManagedInstance',
        ResourceId: db.instanceId,
        TagKeys: ['Role'],
      }),
    );
    await expect(
      client().send(
        new ListTagsForResourceCommand({
          ResourceType: 'MaintenanceWindow',
          ResourceId: db.instanceId,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidResourceType' });

    const issued = await nodeCredentials(web);
    await client().send(new DeregisterManagedInstanceCommand({ InstanceId: web.instanceId }));
    const revoked = client({
      accessKeyId: String(issued.body['AccessKeyId']),
      secretAccessKey: String(issued.body['SecretAccessKey']),
      sessionToken: String(issued.body['SessionToken']),
    });
    await expect(
      revoked.send(new GetConnectionStatusCommand({ Target: web.instanceId })),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    expect((await nodeCredentials(web)).body).toMatchObject({
      __type: 'UnrecognizedClientException',
    });
    const remaining = await client().send(new DescribeInstanceInformationCommand({}));
    expect(remaining.InstanceInformationList?.map((i) => i.InstanceId)).toEqual([db.instanceId]);
  });
});

describe('PingStatus filter', () => {
  it('fills whole pages with the requested status (it is applied before paging)', async () => {
    const activation = await createActivation(6);
    const nodes = [];
    for (let i = 0; i < 6; i++) nodes.push((await registerNode(activation)).node.instanceId);
    nodes.sort();
    // Every other node online: a filter applied after paging would return short pages.
    const online = nodes.filter((_, i) => i % 2 === 1);
    for (const id of online) server.server.services.connections.markConnected(id);
    const pages = async (status: string) => {
      const ids: string[][] = [];
      let token: string | undefined;
      do {
        const page = await client().send(
          new DescribeInstanceInformationCommand({
            Filters: [{ Key: 'PingStatus', Values: [status] }],
            MaxResults: 5,
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        );
        ids.push((page.InstanceInformationList ?? []).map((i) => i.InstanceId!));
        token = page.NextToken;
      } while (token !== undefined);
      return ids;
    };
    // MaxResults is at least 5 on AWS; 3 nodes of each status fit in one full page each.
    expect(await pages('Online')).toEqual([online]);
    expect(await pages('ConnectionLost')).toEqual([nodes.filter((id) => !online.includes(id))]);
    expect(await pages('Inactive')).toEqual([[]]);
    const both = await client().send(
      new DescribeInstanceInformationCommand({
        Filters: [
          { Key: 'PingStatus', Values: ['Online'] },
          { Key: 'InstanceIds', Values: [nodes[0]!, nodes[1]!] },
        ],
      }),
    );
    expect(both.InstanceInformationList?.map((i) => i.InstanceId)).toEqual([nodes[1]]);
  });
});

describe('AWS error behaviour', () => {
  it('answers unsigned, unknown-key, wrong-secret and stale requests with AWS’s codes', async () => {
    expect((await rawCall('DescribeInstanceInformation', {})).body).toMatchObject({
      __type: 'MissingAuthenticationTokenException',
    });
    await expect(
      client({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x' }).send(
        new DescribeActivationsCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(
      client({ ...server.adminCredentials, secretAccessKey: 'wrong' }).send(
        new DescribeActivationsCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    await expect(
      client(undefined, { systemClockOffset: -20 * 60 * 1000 }).send(
        new DescribeActivationsCommand({}),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired/) as unknown,
    });
  });

  it('names unknown operations, bad JSON and invalid input, always with a request id', async () => {
    const unknown = await rawCall('NoSuchThing', {});
    expect(unknown.body).toMatchObject({ __type: 'UnknownOperationException' });
    expect(unknown.requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(
      client().send(new CreateActivationCommand({ IamRole: 'r', RegistrationLimit: 5000 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client().send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: 'Bogus', Values: ['x'] }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidFilterKey' });
  });

  it('works with the real AWS CLI, and the CLI prints AWS’s error line for a wrong secret', async () => {
    const created = JSON.parse(
      (await runAws(['ssm', 'create-activation', '--iam-role', 'OpenSSMNodeRole'])).stdout,
    ) as {
      ActivationId: string;
    };
    const listed = JSON.parse((await runAws(['ssm', 'describe-activations'])).stdout) as {
      ActivationList: { ActivationId: string }[];
    };
    expect(listed.ActivationList.map((a) => a.ActivationId)).toEqual([created.ActivationId]);
    const failure = await runAws(['ssm', 'describe-activations'], {
      ...server.adminCredentials,
      secretAccessKey: 'wrong',
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 254 });
    expect((failure as { stderr: string }).stderr).toContain(
      'An error occurred (InvalidSignatureException) when calling the DescribeActivations operation',
    );
  });
});
