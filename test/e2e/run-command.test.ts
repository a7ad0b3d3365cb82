// Run Command end to end: a real server, a real `openssm-agent` process registered with a real
// activation, and the seed's commands through Debian's `aws` CLI verbatim — then the same flow
// through the AWS SDK, the agent SIGKILLed mid-command, the server restarted mid-command, an
// execution timeout that must kill the script's children, and a cancel.

import { type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
  type CommandInvocation,
} from '@aws-sdk/client-ssm';
import {
  pollUntil,
  registerTestAgent,
  runAwsCli,
  signedFetch,
  spawnTestAgent,
  startTestServer,
  stopProcess,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let server: TestServer;
let port: number;
let dataDir: string;
let workDir: string;
let stateDir: string;
let instanceId: string;
let agent: ChildProcess | undefined;

function client(): SSMClient {
  return new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
  });
}

async function startServerOn(listenPort: number): Promise<TestServer> {
  return startTestServer({
    dataDir,
    commandTickMs: 200,
    extraArgs: ['--listen', `127.0.0.1:${listenPort}`],
  });
}

function startAgent(): ChildProcess {
  agent = spawnTestAgent(stateDir);
  return agent;
}

async function stopAgent(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const child = agent;
  agent = undefined;
  if (child !== undefined) await stopProcess(child, signal);
}

async function pingStatus(): Promise<string | undefined> {
  const ssm = client();
  try {
    const { InstanceInformationList = [] } = await ssm.send(
      new DescribeInstanceInformationCommand({}),
    );
    return InstanceInformationList.find((node) => node.InstanceId === instanceId)?.PingStatus;
  } finally {
    ssm.destroy();
  }
}

async function online(): Promise<void> {
  await pollUntil(async () => ((await pingStatus()) === 'Online' ? true : undefined), 'Online');
}

async function invocation(commandId: string): Promise<CommandInvocation | undefined> {
  const ssm = client();
  try {
    const { CommandInvocations = [] } = await ssm.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }),
    );
    return CommandInvocations[0];
  } finally {
    ssm.destroy();
  }
}

async function invocationWith(
  commandId: string,
  statuses: readonly string[],
  ms = 30_000,
): Promise<CommandInvocation> {
  let last: CommandInvocation | undefined;
  return pollUntil(
    async () => {
      last = await invocation(commandId);
      return last !== undefined && statuses.includes(last.Status!) ? last : undefined;
    },
    () => `invocation of ${commandId} in ${statuses.join('/')}: ${JSON.stringify(last)}`,
    ms,
  );
}

async function send(commands: string[], extra: Record<string, string[]> = {}): Promise<string> {
  const ssm = client();
  try {
    const sent = await ssm.send(
      new SendCommandCommand({
        InstanceIds: [instanceId],
        DocumentName: 'AWS-RunShellScript',
        Parameters: { commands, ...extra },
      }),
    );
    return sent.Command!.CommandId!;
  } finally {
    ssm.destroy();
  }
}

function runAws(args: string[]) {
  return runAwsCli(server, args, { home: workDir });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-rc-e2e-'));
  dataDir = join(workDir, 'server');
  stateDir = join(workDir, 'agent');
  server = await startTestServer({ dataDir, commandTickMs: 200 });
  port = server.server.port;
  ({ instanceId } = await registerTestAgent(server, { stateDir, name: 'rc-node' }));
  startAgent();
  await online();
}, 60_000);

afterEach(async () => {
  if (agent === undefined) {
    startAgent();
    await online();
  }
});

afterAll(async () => {
  await stopAgent();
  await server?.close();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('Run Command with a real agent', () => {
  it('the seed’s commands, verbatim with the aws CLI: df -h runs and its output is listed', async () => {
    const { stdout } = await runAws([
      'ssm',
      'send-command',
      '--instance-ids',
      instanceId,
      '--document-name',
      'AWS-RunShellScript',
      '--comment',
      'Check disk usage',
      '--parameters',
      'commands=["df -h"]',
    ]);
    const sent = JSON.parse(stdout) as { Command: { CommandId: string; Comment: string } };
    expect(sent.Command.Comment).toBe('Check disk usage');
    const commandId = sent.Command.CommandId;
    expect(commandId).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await pollUntil(
      async () => {
        const { stdout: text } = await runAws([
          'ssm',
          'list-command-invocations',
          '--command-id',
          commandId,
          '--details',
        ]);
        const result = JSON.parse(text) as {
          CommandInvocations: {
            Status: string;
            Comment: string;
            CommandPlugins: { Status: string; Output: string; ResponseCode: number }[];
          }[];
        };
        return result.CommandInvocations[0]?.Status === 'Success' ? result : undefined;
      },
      'list-command-invocations to show Success',
      30_000,
    );
    const [listedInvocation] = listed.CommandInvocations;
    expect(listedInvocation!.Comment).toBe('Check disk usage');
    expect(listedInvocation!.CommandPlugins[0]).toMatchObject({
      Status: 'Success',
      ResponseCode: 0,
    });
    expect(listedInvocation!.CommandPlugins[0]!.Output).toMatch(/^Filesystem\s+Size\s+Used/m);
  }, 60_000);

  it('the same flow through the AWS SDK, with GetCommandInvocation and the full output URL', async () => {
    const ssm = client();
    try {
      const sent = await ssm.send(
        new SendCommandCommand({
          InstanceIds: [instanceId],
          DocumentName: 'AWS-RunShellScript',
          Comment: 'Check disk usage',
          Parameters: { commands: ['df -h', 'seq 1 20000'] },
        }),
      );
      const commandId = sent.Command!.CommandId!;
      const done = await invocationWith(commandId, ['Success', 'Failed', 'TimedOut']);
      expect(done.Status).toBe('Success');
      const result = await ssm.send(
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
      );
      expect(result).toMatchObject({
        Status: 'Success',
        ResponseCode: 0,
        StandardErrorContent: '',
      });
      expect(result.StandardOutputContent).toMatch(/^Filesystem/);
      // 20,000 numbers do not fit the API's 24,000 characters: the URL has them all.
      expect(result.StandardOutputContent!.length).toBeLessThanOrEqual(24_000);
      expect(result.StandardOutputContent).toMatch(/--output truncated--$/);
      const full = await pollUntil(async () => {
        const response = await signedFetch({
          url: result.StandardOutputUrl!,
          method: 'GET',
          service: 'ssm',
          region: server.region,
          credentials: server.adminCredentials,
        });
        return response.status === 200 ? response.text() : undefined;
      }, 'the full output');
      expect(full).toMatch(/^Filesystem/);
      expect(full.endsWith('19999\n20000\n')).toBe(true);
      const { Commands = [] } = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));
      expect(Commands[0]).toMatchObject({ Status: 'Success', CompletedCount: 1, ErrorCount: 0 });
    } finally {
      ssm.destroy();
    }
  }, 60_000);

  it('the agent is SIGKILLed during a 5-second command and restarted: the real result, once', async () => {
    const marker = join(workDir, 'kill-runs');
    const commandId = await send([`echo run >> ${marker}`, 'sleep 5', 'echo done-$((6*7))']);
    await invocationWith(commandId, ['InProgress']);
    await pollUntil(() => existsSync(marker) || undefined, 'the script to start');
    await stopAgent('SIGKILL');
    startAgent();
    const done = await invocationWith(commandId, ['Success', 'Failed', 'TimedOut']);
    expect(done.Status).toBe('Success');
    expect(done.CommandPlugins![0]!.Output).toBe('done-42\n');
    expect(await readFile(marker, 'utf8')).toBe('run\n');
  }, 60_000);

  it('the server is restarted while commands are in flight: each ends with its real result, once', async () => {
    const marker = join(workDir, 'restart-runs');
    const running = await send([`echo run >> ${marker}`, 'sleep 4', 'echo finished-ok']);
    await invocationWith(running, ['InProgress']);
    await pollUntil(() => existsSync(marker) || undefined, 'the script to start');
    // A second command waits undelivered for a node that is away.
    await stopAgent();
    const queued = await send([`echo queued >> ${marker}`]);
    expect((await invocationWith(queued, ['Delayed'])).StatusDetails).toBe('Delayed');
    await server.close();
    server = await startServerOn(port);
    startAgent();
    const first = await invocationWith(running, ['Success', 'Failed', 'TimedOut']);
    expect(first.Status).toBe('Success');
    expect(first.CommandPlugins![0]!.Output).toBe('finished-ok\n');
    const second = await invocationWith(queued, ['Success', 'Failed', 'TimedOut']);
    expect(second.Status).toBe('Success');
    expect(await readFile(marker, 'utf8')).toBe('run\nqueued\n');
  }, 90_000);

  it('an execution timeout ends the command Execution Timed Out and kills the script’s children', async () => {
    const pidFile = join(workDir, 'child-pid');
    const commandId = await send([`sleep 120 & echo $! > ${pidFile}`, 'sleep 120'], {
      executionTimeout: ['5'],
    });
    // The shell creates the file before it writes the pid: wait for a whole number.
    const pid = await pollUntil(async () => {
      const text = existsSync(pidFile) ? await readFile(pidFile, 'utf8') : '';
      return /^[1-9][0-9]*\n$/.test(text) ? Number(text) : undefined;
    }, 'the child to start');
    expect(alive(pid)).toBe(true);
    const done = await invocationWith(commandId, ['Success', 'Failed', 'TimedOut'], 30_000);
    expect(done).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out' });
    expect(done.CommandPlugins![0]).toMatchObject({
      Status: 'TimedOut',
      StatusDetails: 'Execution Timed Out',
      ResponseCode: 137,
    });
    await pollUntil(() => !alive(pid) || undefined, 'the child to be killed', 5000);
    const ssm = client();
    const { Commands = [] } = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));
    ssm.destroy();
    expect(Commands[0]).toMatchObject({
      Status: 'TimedOut',
      StatusDetails: 'Execution Timed Out',
      ErrorCount: 1,
    });
  }, 60_000);

  it('CancelCommand stops a running command: Cancelling, then Cancelled', async () => {
    const commandId = await send(['sleep 60']);
    await invocationWith(commandId, ['InProgress']);
    const ssm = client();
    try {
      await ssm.send(new CancelCommandCommand({ CommandId: commandId }));
      const done = await invocationWith(commandId, ['Cancelled', 'Success', 'Failed'], 20_000);
      expect(done).toMatchObject({ Status: 'Cancelled', StatusDetails: 'Cancelled' });
      const { Commands = [] } = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));
      expect(Commands[0]).toMatchObject({ Status: 'Cancelled', StatusDetails: 'Cancelled' });
    } finally {
      ssm.destroy();
    }
  }, 60_000);
});
