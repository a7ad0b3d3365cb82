// Run Command against the real server with simulated nodes (real WebSocket control channels, a
// light executor): SendCommand through the AWS SDK, the listings and GetCommandInvocation in
// AWS's shapes, the full output behind StandardOutputUrl, MaxConcurrency and MaxErrors on 200
// nodes, delivery timeouts, cancel, targets by tag, and bad input from the API and from nodes.

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AddTagsToResourceCommand,
  CancelCommandCommand,
  CreateDocumentCommand,
  DeregisterManagedInstanceCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
  type Command,
  type CommandInvocation,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { MessageType, encodeAgentJobAck, encodeAgentJobReply, encodeUtf8 } from '@openssm/protocol';
import { createLogger } from '@openssm/server';
import {
  SimulatedAgent,
  SimulatedFleet,
  lightExecutor,
  pollUntil,
  startTestServer,
  type SimulatedExecutor,
  type SimulatedFleetOptions,
  type SimulatedJob,
  type SimulatedResult,
  type TestServer,
  type TestServerOptions,
  signedFetch,
} from '@openssm/testkit';
import { afterEach, describe, expect, it } from 'vitest';

let server: TestServer | undefined;
let fleet: SimulatedFleet | undefined;
let ssm: SSMClient | undefined;
let logs: string[] = [];

afterEach(async () => {
  for (const agent of fleet?.agents ?? []) agent.stop();
  await fleet?.close();
  ssm?.destroy();
  await server?.close();
  fleet = undefined;
  server = undefined;
  ssm = undefined;
  logs = [];
}, 30_000);

async function setUp(
  count: number,
  options: Omit<SimulatedFleetOptions, 'count'> = {},
  serverOptions: TestServerOptions = {},
) {
  server = await startTestServer({
    commandTickMs: 25,
    log: createLogger('debug', (line) => logs.push(line)),
    ...serverOptions,
  });
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
  let last: Command | undefined;
  return pollUntil(
    async () => {
      last = await commandOf(client, commandId);
      return ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(last.Status!)
        ? last
        : undefined;
    },
    () => `command ${commandId} to finish: ${JSON.stringify(last)}`,
    ms,
  );
}

async function invocations(client: SSMClient, commandId: string): Promise<CommandInvocation[]> {
  const all: CommandInvocation[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, Details: true, NextToken: token }),
    );
    all.push(...(page.CommandInvocations ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return all;
}

async function invocationOf(client: SSMClient, commandId: string, instanceId: string) {
  const { CommandInvocations = [] } = await client.send(
    new ListCommandInvocationsCommand({ CommandId: commandId, InstanceId: instanceId }),
  );
  return CommandInvocations[0];
}

/** The AWS error code a call fails with. */
async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  return 'no error';
}

/** GET a StandardOutputUrl, signed as the SDK would sign an API call. */
function fetchSigned(url: string, running: Pick<TestServer, 'adminCredentials' | 'region'>) {
  return signedFetch({
    url,
    method: 'GET',
    service: 'ssm',
    region: running.region,
    credentials: running.adminCredentials,
  });
}

function sendInput(overrides: Partial<SendCommandCommandInput>): SendCommandCommandInput {
  return {
    DocumentName: 'AWS-RunShellScript',
    Parameters: { commands: ['echo hi'] },
    ...overrides,
  };
}

/** An executor whose jobs wait until the test settles them, oldest first. */
function heldExecutor() {
  const held: { job: SimulatedJob; settle: (result: SimulatedResult) => void }[] = [];
  const executor: SimulatedExecutor = (job) =>
    new Promise((settle) => {
      held.push({ job, settle });
    });
  return { held, executor };
}

describe('Run Command with simulated nodes', () => {
  it('runs a command on three nodes, in AWS’s shapes, with the full output behind its URL', async () => {
    const { ssm: client, fleet: nodes, server: running } = await setUp(3);
    const sent = await client.send(
      new SendCommandCommand(
        sendInput({
          InstanceIds: nodes.instanceIds,
          Comment: 'hello',
          Parameters: { commands: ['echo hello world'] },
        }),
      ),
    );
    const commandId = sent.Command!.CommandId!;
    expect(sent.Command).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      DocumentVersion: '$DEFAULT',
      Comment: 'hello',
      Parameters: { commands: ['echo hello world'] },
      InstanceIds: nodes.instanceIds,
      Targets: [],
      Status: 'Pending',
      StatusDetails: 'Pending',
      MaxConcurrency: '50',
      MaxErrors: '0',
      TargetCount: 3,
      CompletedCount: 0,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
      TimeoutSeconds: 3600,
      OutputS3Region: running.region,
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    });
    expect(sent.Command!.RequestedDateTime).toBeInstanceOf(Date);
    expect(sent.Command!.ExpiresAfter!.getTime()).toBe(
      sent.Command!.RequestedDateTime!.getTime() + (3600 + 3600) * 1000,
    );
    const command = await finished(client, commandId);
    expect(command).toMatchObject({
      Status: 'Success',
      StatusDetails: 'Success',
      TargetCount: 3,
      CompletedCount: 3,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
    });
    const listed = await invocations(client, commandId);
    expect(listed.map((invocation) => invocation.InstanceId)).toEqual(nodes.instanceIds);
    for (const invocation of listed) {
      expect(invocation).toMatchObject({
        Status: 'Success',
        StatusDetails: 'Success',
        InstanceName: 'sim',
        DocumentName: 'AWS-RunShellScript',
        DocumentVersion: '$DEFAULT',
        Comment: 'hello',
        TraceOutput: '',
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
      expect(invocation.CommandPlugins![0]!.ResponseStartDateTime).toBeInstanceOf(Date);
    }
    // Without Details, no plugins.
    const { CommandInvocations: brief = [] } = await client.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: 2 }),
    );
    expect(brief).toHaveLength(2);
    expect(brief[0]!.CommandPlugins).toEqual([]);

    const first = nodes.instanceIds[0]!;
    const invocation = await client.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: first }),
    );
    expect(invocation).toMatchObject({
      CommandId: commandId,
      InstanceId: first,
      Comment: 'hello',
      DocumentName: 'AWS-RunShellScript',
      PluginName: 'aws:runShellScript',
      ResponseCode: 0,
      Status: 'Success',
      StatusDetails: 'Success',
      StandardOutputContent: 'hello world\n',
      StandardErrorContent: '',
    });
    expect(invocation.ExecutionElapsedTime).toMatch(/^PT\d+\.\d{3}S$/);
    expect(Date.parse(invocation.ExecutionStartDateTime!)).not.toBeNaN();
    expect(
      (
        await client.send(
          new GetCommandInvocationCommand({
            CommandId: commandId,
            InstanceId: first,
            PluginName: 'aws:runShellScript',
          }),
        )
      ).Status,
    ).toBe('Success');
    const url = invocation.StandardOutputUrl!;
    expect(url).toBe(`${running.url}/v1/command-output/${commandId}/${first}/0/stdout`);
    const body = await pollUntil(async () => {
      const response = await fetchSigned(url, running);
      return response.status === 200 ? response.text() : undefined;
    }, 'the full output');
    expect(body).toBe('hello world\n');
    // stderr was empty: served empty, without an upload.
    const stderr = await fetchSigned(invocation.StandardErrorUrl!, running);
    expect(stderr.status).toBe(200);
    expect(await stderr.text()).toBe('');
    // Unsigned: refused.
    expect((await fetch(url)).status).toBe(400);
    expect((await fetchSigned(url.replace('/0/stdout', '/7/stdout'), running)).status).toBe(404);
    for (const agent of nodes.agents) {
      await pollUntil(() => agent.unacknowledged === 0 || undefined, 'every reply acknowledged');
    }
  });

  it('200 nodes, MaxConcurrency 10%, MaxErrors 5: at most 20 at once, sending stops at the 6th error', async () => {
    const { held, executor } = heldExecutor();
    const { ssm: client, fleet: nodes } = await setUp(200, {
      executor,
      tags: [{ Key: 'fleet', Value: 'canary' }],
    });
    const sent = await client.send(
      new SendCommandCommand(
        sendInput({
          Targets: [{ Key: 'tag-key', Values: ['fleet'] }],
          MaxConcurrency: '10%',
          MaxErrors: '5',
        }),
      ),
    );
    const commandId = sent.Command!.CommandId!;
    expect(sent.Command!.TargetCount).toBe(200);

    // With AWS's ramp-up (one first, two more for each that finishes, up to MaxConcurrency),
    // the number sent depends only on the number finished: min(finished + 20, 2·finished + 1).
    const jobsSent = () => nodes.events.filter((event) => event.kind === 'job').length;
    const expectSent = async (count: number) => {
      await pollUntil(
        () => jobsSent() >= count || undefined,
        () => `${count} jobs sent, not ${jobsSent()}`,
      );
      expect(jobsSent()).toBe(count);
    };
    const failAt = new Set([3, 7, 12, 20, 25, 31]);
    let finishedCount = 0;
    let errors = 0;
    await expectSent(1);
    while (errors < 6) {
      const next = held.shift()!;
      finishedCount++;
      const fail = failAt.has(finishedCount);
      if (fail) errors++;
      next.settle(
        fail
          ? { status: 'Failed', code: 2, stdout: '', stderr: 'injected failure\n' }
          : { status: 'Success', code: 0, stdout: 'ok\n', stderr: '' },
      );
      if (errors < 6) await expectSent(Math.min(finishedCount + 20, 2 * finishedCount + 1));
    }
    // The sixth error: nothing more is sent, what runs goes on (and may fail too).
    await pollUntil(
      async () => ((await commandOf(client, commandId)).ErrorCount === 6 ? true : undefined),
      'the sixth error to be recorded',
    );
    const sentBeforeStop = jobsSent();
    expect(sentBeforeStop).toBe(50);
    const stillRunning = held.splice(0);
    expect(stillRunning).toHaveLength(19);
    stillRunning.forEach((job, index) =>
      job.settle(
        index === 0
          ? { status: 'Failed', code: 1, stdout: '', stderr: 'also failed\n' }
          : { status: 'Success', code: 0, stdout: 'ok\n', stderr: '' },
      ),
    );
    const command = await finished(client, commandId);
    expect(jobsSent()).toBe(50);
    expect(nodes.maxRunning).toBe(20);
    expect(command).toMatchObject({
      Status: 'Failed',
      StatusDetails: 'Failed',
      TargetCount: 200,
      CompletedCount: 200,
      ErrorCount: 7,
      DeliveryTimedOutCount: 0,
      MaxConcurrency: '10%',
      MaxErrors: '5',
    });
    const all = await invocations(client, commandId);
    const byDetails = (details: string) =>
      all.filter((invocation) => invocation.StatusDetails === details);
    expect(byDetails('Success')).toHaveLength(43);
    expect(byDetails('Failed')).toHaveLength(7);
    const terminated = byDetails('Terminated');
    expect(terminated).toHaveLength(150);
    expect(terminated.every((invocation) => invocation.Status === 'Cancelled')).toBe(true);
    const ran = new Set(nodes.events.filter((e) => e.kind === 'job').map((e) => e.instanceId));
    expect(terminated.some((invocation) => ran.has(invocation.InstanceId!))).toBe(false);
    const failed = byDetails('Failed')[0]!;
    expect(failed.CommandPlugins![0]).toMatchObject({ Status: 'Failed' });
    expect([1, 2]).toContain(failed.CommandPlugins![0]!.ResponseCode);
  }, 60_000);

  it('a node offline when sent gets the command on reconnect within TimeoutSeconds; past it, Delivery Timed Out', async () => {
    let clock = Date.now();
    const { ssm: client, fleet: nodes } = await setUp(2, {}, { now: () => clock });
    const [online, away] = nodes.agents;
    await away!.disconnect();
    const late = await client.send(
      new SendCommandCommand(
        sendInput({
          InstanceIds: nodes.instanceIds,
          TimeoutSeconds: 30,
          Parameters: { commands: ['echo late'] },
        }),
      ),
    );
    const lateId = late.Command!.CommandId!;
    await pollUntil(
      async () =>
        (await invocationOf(client, lateId, away!.instanceId))?.Status === 'Delayed' || undefined,
      'the offline node’s invocation to be Delayed',
    );
    await pollUntil(
      async () =>
        (await invocationOf(client, lateId, online!.instanceId))?.Status === 'Success' || undefined,
      'the online node to finish',
    );
    clock += 10_000;
    await away!.connect();
    await pollUntil(
      async () =>
        (await invocationOf(client, lateId, away!.instanceId))?.Status === 'Success' || undefined,
      'the node that came back within the timeout to run it',
    );
    expect(await finished(client, lateId)).toMatchObject({ Status: 'Success', CompletedCount: 2 });

    await away!.disconnect();
    const missed = await client.send(
      new SendCommandCommand(
        sendInput({
          InstanceIds: nodes.instanceIds,
          TimeoutSeconds: 30,
          Parameters: { commands: ['echo missed'] },
        }),
      ),
    );
    const missedId = missed.Command!.CommandId!;
    await pollUntil(
      async () =>
        (await invocationOf(client, missedId, online!.instanceId))?.Status === 'Success' ||
        undefined,
      'the online node to finish',
    );
    clock += 31_000;
    const command = await finished(client, missedId);
    expect(command).toMatchObject({
      Status: 'TimedOut',
      StatusDetails: 'Delivery Timed Out',
      TargetCount: 2,
      CompletedCount: 2,
      ErrorCount: 0,
      DeliveryTimedOutCount: 1,
    });
    const timedOut = await invocationOf(client, missedId, away!.instanceId);
    expect(timedOut).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' });
    const detail = await client.send(
      new GetCommandInvocationCommand({ CommandId: missedId, InstanceId: away!.instanceId }),
    );
    expect(detail).toMatchObject({
      Status: 'TimedOut',
      StatusDetails: 'Delivery Timed Out',
      ResponseCode: -1,
    });
    await away!.connect();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const jobsForAway = nodes.events.filter(
      (event) => event.kind === 'job' && event.instanceId === away!.instanceId,
    );
    expect(jobsForAway.map((event) => event.commandId)).toEqual([lateId]);
  });

  it('CancelCommand: what was not sent ends Cancelled at once, what runs is Cancelling until the node stops it', async () => {
    const { ssm: client, fleet: nodes } = await setUp(3);
    const sent = await client.send(
      new SendCommandCommand(
        sendInput({
          InstanceIds: nodes.instanceIds,
          MaxConcurrency: '1',
          Parameters: { commands: ['sleep 30'] },
        }),
      ),
    );
    const commandId = sent.Command!.CommandId!;
    const first = nodes.instanceIds[0]!;
    await pollUntil(
      async () =>
        (await invocationOf(client, commandId, first))?.Status === 'InProgress' || undefined,
      'the first node to run it',
    );
    await client.send(new CancelCommandCommand({ CommandId: commandId }));
    const during = await invocations(client, commandId);
    expect(during.map((invocation) => invocation.Status)).toEqual(
      expect.arrayContaining(['Cancelled', 'Cancelled']),
    );
    const command = await finished(client, commandId);
    expect(command).toMatchObject({
      Status: 'Cancelled',
      StatusDetails: 'Cancelled',
      CompletedCount: 3,
    });
    const after = await invocations(client, commandId);
    expect(after.map((invocation) => [invocation.Status, invocation.StatusDetails])).toEqual([
      ['Cancelled', 'Cancelled'],
      ['Cancelled', 'Cancelled'],
      ['Cancelled', 'Cancelled'],
    ]);
    expect(after[0]!.CommandPlugins![0]).toMatchObject({ Status: 'Cancelled', ResponseCode: 137 });
    expect(nodes.events.filter((event) => event.kind === 'job')).toHaveLength(1);
    expect(nodes.events.filter((event) => event.kind === 'cancel')).toHaveLength(1);
    // A finished command: nothing to cancel, and no error (as AWS).
    await client.send(new CancelCommandCommand({ CommandId: commandId }));

    // One node of a running command.
    const two = await client.send(
      new SendCommandCommand(
        sendInput({
          InstanceIds: nodes.instanceIds.slice(0, 2),
          Parameters: { commands: ['sleep 1'] },
        }),
      ),
    );
    const twoId = two.Command!.CommandId!;
    await pollUntil(
      async () => (await invocationOf(client, twoId, first))?.Status === 'InProgress' || undefined,
      'it to run',
    );
    await client.send(new CancelCommandCommand({ CommandId: twoId, InstanceIds: [first] }));
    const partly = await finished(client, twoId);
    expect(partly).toMatchObject({ Status: 'Cancelled', CompletedCount: 2 });
    expect((await invocationOf(client, twoId, first))?.Status).toBe('Cancelled');
    expect((await invocationOf(client, twoId, nodes.instanceIds[1]!))?.Status).toBe('Success');
    expect(await errorOf(client.send(new CancelCommandCommand({ CommandId: randomUUID() })))).toBe(
      'InvalidCommandId',
    );
    expect(
      await errorOf(
        client.send(
          new CancelCommandCommand({ CommandId: twoId, InstanceIds: [nodes.instanceIds[2]!] }),
        ),
      ),
    ).toBe('InvalidInstanceId');
    expect(
      await errorOf(
        client.send(new CancelCommandCommand({ CommandId: twoId, InstanceIds: [first, first] })),
      ),
    ).toBe('DuplicateInstanceId');
  });

  it('resolves Targets at send time: tag values OR-ed, targets AND-ed, tag-key, InstanceIds', async () => {
    const { ssm: client, fleet: nodes } = await setUp(4);
    const [a, b, c, d] = nodes.instanceIds as [string, string, string, string];
    const tag = (id: string, Key: string, Value: string) =>
      client.send(
        new AddTagsToResourceCommand({
          ResourceType: 'ManagedInstance',
          ResourceId: id,
          Tags: [{ Key, Value }],
        }),
      );
    await tag(a, 'Env', 'prod');
    await tag(b, 'Env', 'staging');
    await tag(c, 'Env', 'dev');
    await tag(a, 'Role', 'web');
    await tag(b, 'Role', 'web');
    await tag(d, 'Team', 'ops');
    const targetsOf = async (Targets: SendCommandCommandInput['Targets']) => {
      const sent = await client.send(new SendCommandCommand(sendInput({ Targets })));
      const commandId = sent.Command!.CommandId!;
      await finished(client, commandId);
      return (await invocations(client, commandId)).map((invocation) => invocation.InstanceId);
    };
    expect(await targetsOf([{ Key: 'tag:Env', Values: ['prod', 'staging'] }])).toEqual([a, b]);
    expect(
      await targetsOf([
        { Key: 'tag:Env', Values: ['prod', 'dev'] },
        { Key: 'tag:Role', Values: ['web'] },
      ]),
    ).toEqual([a]);
    expect(await targetsOf([{ Key: 'tag-key', Values: ['Team', 'Role'] }])).toEqual([a, b, d]);
    expect(await targetsOf([{ Key: 'InstanceIds', Values: [d, c] }])).toEqual([c, d]);
    const none = await client.send(
      new SendCommandCommand(sendInput({ Targets: [{ Key: 'tag:Env', Values: ['nowhere'] }] })),
    );
    expect(none.Command).toMatchObject({ TargetCount: 0, Status: 'Success' });
    const { Commands = [] } = await client.send(
      new ListCommandsCommand({ InstanceId: a, Filters: [{ key: 'Status', value: 'Success' }] }),
    );
    expect(Commands).toHaveLength(3);
    const page = await client.send(new ListCommandsCommand({ MaxResults: 2 }));
    expect(page.Commands).toHaveLength(2);
    const rest = await client.send(
      new ListCommandsCommand({ MaxResults: 50, NextToken: page.NextToken }),
    );
    expect(rest.Commands).toHaveLength(3);
    expect(
      (
        await client.send(
          new ListCommandsCommand({ Filters: [{ key: 'ExecutionStage', value: 'Executing' }] }),
        )
      ).Commands,
    ).toEqual([]);
    expect(
      (
        await client.send(
          new ListCommandsCommand({
            Filters: [{ key: 'InvokedAfter', value: new Date(Date.now() + 60_000).toISOString() }],
          }),
        )
      ).Commands,
    ).toEqual([]);
  });

  it('refuses bad requests with AWS’s error codes', async () => {
    const { ssm: client, fleet: nodes } = await setUp(1);
    const [node] = nodes.instanceIds as [string];
    const send = (input: Partial<SendCommandCommandInput>) =>
      errorOf(client.send(new SendCommandCommand(sendInput({ InstanceIds: [node], ...input }))));
    expect(await send({ InstanceIds: [] })).toBe('ValidationException');
    expect(await send({ Targets: [{ Key: 'tag:Env', Values: ['x'] }] })).toBe(
      'ValidationException',
    );
    expect(await send({ InstanceIds: ['mi-00000000000000000'] })).toBe('InvalidInstanceId');
    expect(await send({ InstanceIds: ['web-1'] })).toBe('InvalidInstanceId');
    expect(await send({ InstanceIds: [node, node] })).toBe('DuplicateInstanceId');
    expect(await send({ DocumentName: 'No-Such-Document' })).toBe('InvalidDocument');
    expect(await send({ DocumentName: 'AWS-StartSSHSession' })).toBe('InvalidDocument');
    expect(await send({ DocumentVersion: '99' })).toBe('InvalidDocumentVersion');
    expect(await send({ Parameters: { nope: ['x'] } })).toBe('InvalidParameters');
    expect(await send({ Parameters: {} })).toBe('InvalidParameters');
    expect(await send({ Parameters: { commands: ['x'], executionTimeout: ['soon'] } })).toBe(
      'InvalidParameters',
    );
    expect(await send({ OutputS3BucketName: 'Not_A_Bucket' })).toBe('InvalidOutputFolder');
    expect(await send({ OutputS3BucketName: 'bucket', OutputS3KeyPrefix: 'a/../../etc' })).toBe(
      'InvalidOutputFolder',
    );
    expect(await send({ MaxConcurrency: '0' })).toBe('ValidationException');
    expect(await send({ MaxErrors: '101%' })).toBe('ValidationException');
    expect(await send({ TimeoutSeconds: 5 })).toBe('ValidationException');
    expect(
      await send({
        Targets: [{ Key: 'resource-groups:Name', Values: ['x'] }],
        InstanceIds: undefined,
      }),
    ).toBe('InvalidParameters');
    expect(
      await send({
        NotificationConfig: { NotificationArn: 'not-an-arn', NotificationType: 'Command' },
      }),
    ).toBe('InvalidNotificationConfig');
    expect(await send({ NotificationConfig: { NotificationType: 'Sometimes' as 'Command' } })).toBe(
      'InvalidNotificationConfig',
    );
    expect(await send({ ServiceRoleArn: 'role' })).toBe('InvalidRole');
    expect(await send({ DocumentHash: 'f'.repeat(64), DocumentHashType: 'Sha256' })).toBe(
      'InvalidDocument',
    );
    // Oversize parameters: whatever the size, a coded error and never a crash.
    expect(await send({ Parameters: { commands: ['"'.repeat(400_000)] } })).toBe(
      'MaxDocumentSizeExceeded',
    );
    expect(await send({ Parameters: { commands: ['x'.repeat(2_000_000)] } })).toBe(
      'ValidationException',
    );
    expect(await send({ Comment: 'c'.repeat(101) })).toBe('ValidationException');

    const ok = await client.send(new SendCommandCommand(sendInput({ InstanceIds: [node] })));
    const commandId = ok.Command!.CommandId!;
    await finished(client, commandId);
    const get = (input: { CommandId: string; InstanceId: string; PluginName?: string }) =>
      errorOf(client.send(new GetCommandInvocationCommand(input)));
    expect(await get({ CommandId: randomUUID(), InstanceId: node })).toBe('InvalidCommandId');
    expect(await get({ CommandId: commandId, InstanceId: 'mi-00000000000000000' })).toBe(
      'InvocationDoesNotExist',
    );
    expect(await get({ CommandId: commandId, InstanceId: node, PluginName: 'no-such-step' })).toBe(
      'InvalidPluginName',
    );
    expect(await get({ CommandId: commandId, InstanceId: 'bad' })).toBe('InvalidInstanceId');
    expect(
      await errorOf(
        client.send(
          new ListCommandsCommand({ Filters: [{ key: 'Color' as 'Status', value: 'red' }] }),
        ),
      ),
    ).toBe('InvalidFilterKey');
    expect(
      await errorOf(
        client.send(new ListCommandsCommand({ Filters: [{ key: 'Status', value: 'Great' }] })),
      ),
    ).toBe('ValidationException');
    expect(await errorOf(client.send(new ListCommandsCommand({ NextToken: 'forged' })))).toBe(
      'InvalidNextToken',
    );
    expect(
      await errorOf(
        client.send(
          new ListCommandInvocationsCommand({ NextToken: Buffer.from('x').toString('base64url') }),
        ),
      ),
    ).toBe('InvalidNextToken');
    // Unknown commands list nothing (as AWS).
    expect(
      (await client.send(new ListCommandInvocationsCommand({ CommandId: randomUUID() })))
        .CommandInvocations,
    ).toEqual([]);

    // A document of two steps: PluginName is required and names a step.
    await client.send(
      new CreateDocumentCommand({
        Name: 'Two-Steps',
        DocumentType: 'Command',
        Content: JSON.stringify({
          schemaVersion: '2.2',
          mainSteps: [
            { action: 'aws:runShellScript', name: 'first', inputs: { runCommand: ['echo one'] } },
            { action: 'aws:runShellScript', name: 'second', inputs: { runCommand: ['echo two'] } },
          ],
        }),
      }),
    );
    const two = await client.send(
      new SendCommandCommand({ InstanceIds: [node], DocumentName: 'Two-Steps' }),
    );
    const twoId = two.Command!.CommandId!;
    await finished(client, twoId);
    expect(await get({ CommandId: twoId, InstanceId: node })).toBe('InvalidPluginName');
    const second = await client.send(
      new GetCommandInvocationCommand({ CommandId: twoId, InstanceId: node, PluginName: 'second' }),
    );
    expect(second).toMatchObject({ PluginName: 'second', Status: 'Success' });
    const [listed] = await invocations(client, twoId);
    expect(listed!.CommandPlugins!.map((plugin) => plugin.Name)).toEqual(['first', 'second']);
    // Only one plugin ran on the simulated node; an invocation URL is given for one plugin only.
    expect(listed!.StandardOutputUrl).toBe('');
  });

  it('bad input from nodes is dropped with a log line: other nodes’ jobs, bad JSON, unknown jobs, stale replies', async () => {
    const { ssm: client, fleet: nodes } = await setUp(2);
    const [a, b] = nodes.agents as [SimulatedAgent, SimulatedAgent];
    const sent = await client.send(
      new SendCommandCommand(
        sendInput({ InstanceIds: [a.instanceId], Parameters: { commands: ['echo mine'] } }),
      ),
    );
    const commandId = sent.Command!.CommandId!;
    await finished(client, commandId);
    const jobId = `aws.ssm.${commandId}.${a.instanceId}`;
    const replyContent = (documentStatus: string, sequence: number) =>
      JSON.stringify({
        additionalInfo: {},
        documentStatus,
        documentTraceOutput: 'forged',
        runtimeStatus: null,
        openssm: { sequence },
      });
    const reply = (from: SimulatedAgent, job: string, content: string) => {
      const messageId = randomUUID();
      from.sendRaw(
        SimulatedAgent.message(
          MessageType.AgentJobReply,
          encodeAgentJobReply({ jobId: job, content, topic: 'aws.ssm.sendCommand' }),
          messageId,
        ),
      );
      return messageId;
    };
    const acked = (agent: SimulatedAgent, messageId: string) =>
      agent.received.some(
        (message) =>
          message.messageType === MessageType.AgentJobReplyAck &&
          Buffer.from(message.payload).toString('utf8').includes(messageId),
      );
    const logged = (text: string) => logs.some((line) => line.includes(text));

    // B reports A's job: ignored, and not acknowledged.
    const forged = reply(b, jobId, replyContent('Failed', 99));
    await pollUntil(() => logged('another node') || undefined, 'the forged reply to be logged');
    expect(acked(b, forged)).toBe(false);
    // A stale reply (a lower sequence than the final one) changes nothing, and is acknowledged.
    const stale = reply(a, jobId, replyContent('InProgress', 1));
    await pollUntil(() => acked(a, stale) || undefined, 'the stale reply to be acknowledged');
    // Bad JSON in a reply's content: acknowledged (it can never be applied) and logged.
    const broken = reply(a, jobId, '{"documentStatus": ');
    await pollUntil(() => acked(a, broken) || undefined, 'the broken reply to be acknowledged');
    expect(logged('unreadable command reply')).toBe(true);
    // A reply for a job that does not exist.
    const unknown = reply(a, `aws.ssm.${randomUUID()}.${a.instanceId}`, replyContent('Success', 3));
    await pollUntil(
      () => acked(a, unknown) || undefined,
      'the unknown job’s reply to be acknowledged',
    );
    // A payload that is not JSON at all, and an ack that is not one.
    const garbage = randomUUID();
    a.sendRaw(SimulatedAgent.message(MessageType.AgentJobReply, encodeUtf8('not json'), garbage));
    await pollUntil(() => acked(a, garbage) || undefined, 'the garbage reply to be acknowledged');
    a.sendRaw(SimulatedAgent.message(MessageType.AgentJobAck, encodeUtf8('{"jobId": 7}')));
    b.sendRaw(
      SimulatedAgent.message(
        MessageType.AgentJobAck,
        encodeAgentJobAck({
          jobId,
          acknowledgedMessageId: randomUUID(),
          createdDate: new Date().toISOString(),
          statusCode: '51499',
          errorMessage: 'UnexpectedError',
        }),
      ),
    );
    // An output chunk for a step that does not exist, and one whose data overruns its stream.
    const chunk = (pluginId: string, totalBytes: number) =>
      JSON.stringify({
        schemaVersion: 1,
        commandId,
        pluginId,
        stream: 'stdout',
        offset: 0,
        totalBytes,
        sha256: 'a'.repeat(64),
        eof: true,
        data: Buffer.from('forged output').toString('base64'),
      });
    for (const content of [chunk('../../etc', 13), chunk('aws:runShellScript', 3)]) {
      const messageId = randomUUID();
      a.sendRaw(
        SimulatedAgent.message(
          MessageType.AgentJobReply,
          encodeAgentJobReply({ jobId, content, topic: 'openssm.commandOutput' }),
          messageId,
        ),
      );
      await pollUntil(() => acked(a, messageId) || undefined, 'the bad chunk to be acknowledged');
    }
    await pollUntil(
      () => logged('unreadable control message') || undefined,
      'the garbage to be logged',
    );
    expect(logged('output for no known step')).toBe(true);
    expect(logged('unreadable output chunk')).toBe(true);

    // Nothing of it changed the invocation, and both nodes still work.
    const invocation = await client.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: a.instanceId }),
    );
    expect(invocation).toMatchObject({ Status: 'Success', StandardOutputContent: 'mine\n' });
    expect(a.connected && b.connected).toBe(true);
    const again = await client.send(
      new SendCommandCommand(sendInput({ InstanceIds: nodes.instanceIds })),
    );
    expect(await finished(client, again.Command!.CommandId!)).toMatchObject({ Status: 'Success' });
  });

  it('keeps at most --max-command-output bytes of output per invocation, with a marker; resent replies apply once', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n');
    const executor: SimulatedExecutor = async (job) =>
      job.commands[0] === 'big'
        ? { status: 'Success', code: 0, stdout: big, stderr: 'warning\n' }
        : lightExecutor(job);
    const {
      ssm: client,
      fleet: nodes,
      server: running,
    } = await setUp(
      1,
      { executor },
      {
        extraArgs: ['--max-command-output', '100000'],
      },
    );
    const [agent] = nodes.agents as [SimulatedAgent];
    agent.honourAcks = false; // keeps resending every reply and chunk until the test ends
    const sent = await client.send(
      new SendCommandCommand(
        sendInput({ InstanceIds: [agent.instanceId], Parameters: { commands: ['big'] } }),
      ),
    );
    const commandId = sent.Command!.CommandId!;
    await finished(client, commandId);
    const invocation = await client.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: agent.instanceId }),
    );
    expect(invocation.StandardOutputContent).toHaveLength(24_000);
    expect(invocation.StandardErrorContent).toBe('warning\n');
    const stdout = await pollUntil(async () => {
      const response = await fetchSigned(invocation.StandardOutputUrl!, running);
      return response.status === 200 ? response.text() : undefined;
    }, 'the kept output');
    expect(stdout.startsWith(big.slice(0, 100_000))).toBe(true);
    expect(stdout.slice(100_000)).toMatch(
      /^\n\[openssm: output truncated: 100000 of \d+ bytes kept/,
    );
    // stdout took the whole cap: nothing of stderr is kept but the marker.
    const stderr = await pollUntil(async () => {
      const response = await fetchSigned(invocation.StandardErrorUrl!, running);
      return response.status === 200 ? response.text() : undefined;
    }, 'the stderr object');
    expect(stderr).toMatch(/^\n\[openssm: output truncated: 0 of 8 bytes kept/);
    // Resends keep arriving (acks are ignored by this node); nothing changes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await commandOf(client, commandId)).toMatchObject({
      Status: 'Success',
      CompletedCount: 1,
    });
  });

  it('authorizes SendCommand on every target node (with its tags) and the document; output like GetCommandInvocation', async () => {
    const { ssm: admin, fleet: nodes, server: running } = await setUp(2);
    const [dev, prod] = nodes.instanceIds as [string, string];
    await admin.send(
      new AddTagsToResourceCommand({
        ResourceType: 'ManagedInstance',
        ResourceId: dev,
        Tags: [{ Key: 'Env', Value: 'dev' }],
      }),
    );
    const { iam } = running.server.services;
    await iam.users.create('operator', '/', [], Date.now());
    await iam.policies.putInline(
      'user',
      'operator',
      'dev-only',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:SendCommand',
            Resource: 'arn:*:ssm:*:*:managed-instance/*',
            Condition: { StringEquals: { 'ssm:resourceTag/Env': 'dev' } },
          },
          {
            Effect: 'Allow',
            Action: 'ssm:SendCommand',
            Resource: 'arn:*:ssm:*::document/AWS-RunShellScript',
          },
          {
            Effect: 'Allow',
            Action: ['ssm:ListCommands', 'ssm:ListCommandInvocations'],
            Resource: '*',
          },
        ],
      }),
    );
    const keys = await iam.users.createAccessKey('operator', Date.now());
    const operator = new SSMClient({
      endpoint: running.url,
      region: running.region,
      credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      expect(
        await errorOf(
          operator.send(new SendCommandCommand(sendInput({ InstanceIds: [dev, prod] }))),
        ),
      ).toBe('AccessDeniedException');
      expect(
        await errorOf(
          operator.send(
            new SendCommandCommand(sendInput({ Targets: [{ Key: 'tag-key', Values: ['Env'] }] })),
          ),
        ),
      ).not.toBe('AccessDeniedException');
      const sent = await operator.send(new SendCommandCommand(sendInput({ InstanceIds: [dev] })));
      const commandId = sent.Command!.CommandId!;
      expect(sent.Command!.TargetCount).toBe(1);
      await finished(operator, commandId);
      expect(
        await errorOf(
          operator.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: dev })),
        ),
      ).toBe('AccessDeniedException');
      const { StandardOutputUrl: url } = await admin.send(
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: dev }),
      );
      const denied = await fetchSigned(url!, {
        ...running,
        adminCredentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
      });
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as { __type: string }).__type).toBe('AccessDeniedException');
      // The output follows the final reply: the administrator gets it once it is there.
      await pollUntil(async () => {
        const response = await fetchSigned(url!, running);
        await response.arrayBuffer();
        return response.status === 200 || undefined;
      }, 'the administrator to read the output');
    } finally {
      operator.destroy();
    }
  });

  it('acknowledgement codes: a busy node gets the job again later, a refusing one is Undeliverable', async () => {
    let clock = Date.now();
    const { ssm: client, fleet: nodes } = await setUp(2, {}, { now: () => clock });
    const [busy, refusing] = nodes.agents as [SimulatedAgent, SimulatedAgent];
    busy.refuseWith = 'ProcessorBufferFull';
    refusing.refuseWith = 'UnexpectedDocumentType';
    const sent = await client.send(
      new SendCommandCommand(sendInput({ InstanceIds: nodes.instanceIds })),
    );
    const commandId = sent.Command!.CommandId!;
    await pollUntil(
      async () =>
        (await invocationOf(client, commandId, busy.instanceId))?.Status === 'Delayed' || undefined,
      'the busy node’s invocation to be Delayed',
    );
    // (With the ramp-up, whichever node comes first holds the only slot until it ends.)
    busy.refuseWith = undefined;
    clock += 2500; // past the retry delay
    const command = await finished(client, commandId);
    const refused = await invocationOf(client, commandId, refusing.instanceId);
    expect(refused).toMatchObject({ Status: 'Failed', StatusDetails: 'Undeliverable' });
    expect(refused!.TraceOutput).toContain('51403');
    // Undeliverable counts neither as an error nor against Success.
    expect(command).toMatchObject({ Status: 'Success', CompletedCount: 2, ErrorCount: 0 });
    expect((await invocationOf(client, commandId, busy.instanceId))?.Status).toBe('Success');
  });

  it('stores the full output where OutputS3BucketName and OutputS3KeyPrefix say, in AWS’s layout', async () => {
    const { ssm: client, fleet: nodes, server: running } = await setUp(1);
    const [node] = nodes.instanceIds as [string];
    const sent = await client.send(
      new SendCommandCommand(
        sendInput({
          InstanceIds: [node],
          OutputS3BucketName: 'my-bucket',
          OutputS3KeyPrefix: '/runs/2026/',
          CloudWatchOutputConfig: {
            CloudWatchOutputEnabled: true,
            CloudWatchLogGroupName: '/ssm/out',
          },
          Parameters: { commands: ['echo kept'] },
        }),
      ),
    );
    expect(sent.Command).toMatchObject({
      OutputS3BucketName: 'my-bucket',
      OutputS3KeyPrefix: 'runs/2026',
      CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: '/ssm/out' },
    });
    const commandId = sent.Command!.CommandId!;
    await finished(client, commandId);
    const file = join(
      running.dataDir,
      'objects/my-bucket/runs/2026',
      commandId,
      node,
      'awsrunShellScript/0.awsrunShellScript/stdout',
    );
    expect(await pollUntil(() => existsSync(file) || undefined, 'the object file')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('kept\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [listed] = await invocations(client, commandId);
    expect(listed!.CommandPlugins![0]).toMatchObject({ OutputS3BucketName: 'my-bucket' });
  });

  it('a node deregistered while a command waits for it: its invocation ends Undeliverable', async () => {
    const { ssm: client, fleet: nodes } = await setUp(2);
    const [stays, goes] = nodes.agents as [SimulatedAgent, SimulatedAgent];
    await goes.disconnect();
    const sent = await client.send(
      new SendCommandCommand(sendInput({ InstanceIds: nodes.instanceIds, MaxConcurrency: '2' })),
    );
    const commandId = sent.Command!.CommandId!;
    await pollUntil(
      async () =>
        (await invocationOf(client, commandId, goes.instanceId))?.Status === 'Delayed' || undefined,
      'the away node to be Delayed',
    );
    await client.send(new DeregisterManagedInstanceCommand({ InstanceId: goes.instanceId }));
    const command = await finished(client, commandId);
    expect(command).toMatchObject({ Status: 'Success', CompletedCount: 2, ErrorCount: 0 });
    expect(await invocationOf(client, commandId, goes.instanceId)).toMatchObject({
      Status: 'Failed',
      StatusDetails: 'Undeliverable',
    });
    expect((await invocationOf(client, commandId, stays.instanceId))?.Status).toBe('Success');
  });

  it('an offline node waits Delayed without a slot: the others run, it runs when it is back', async () => {
    const { ssm: client, fleet: nodes } = await setUp(3);
    const [first, second, third] = nodes.agents as [SimulatedAgent, SimulatedAgent, SimulatedAgent];
    await first.disconnect();
    const sent = await client.send(
      new SendCommandCommand(sendInput({ InstanceIds: nodes.instanceIds, MaxConcurrency: '1' })),
    );
    const commandId = sent.Command!.CommandId!;
    for (const agent of [second, third]) {
      await pollUntil(
        async () =>
          (await invocationOf(client, commandId, agent.instanceId))?.Status === 'Success' ||
          undefined,
        'the online nodes to run it, one at a time',
      );
    }
    expect(await invocationOf(client, commandId, first.instanceId)).toMatchObject({
      Status: 'Delayed',
      StatusDetails: 'Delayed',
    });
    expect((await commandOf(client, commandId)).Status).toBe('InProgress');
    await first.connect();
    expect(await finished(client, commandId)).toMatchObject({
      Status: 'Success',
      CompletedCount: 3,
    });
    expect(nodes.maxRunning).toBe(1);
  });
});
