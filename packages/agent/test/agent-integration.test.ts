// The real agent (register, then run) against a fake gateway on real sockets: RSA-signed
// credential requests, the signed heartbeat, the control channel, and a shell session driven by
// a client DataChannel + ClientHandshake played by the test — through control- and data-socket
// drops, session ends, acknowledgements and shutdown. Every wait is a poll with a deadline.

import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ClientHandshake, DataChannel, type StreamMessage } from '@openssm/channel';
import {
  MessageType,
  PayloadFlag,
  PayloadType,
  decodeAgentMessage,
  encodeAgentTaskPayload,
  encodeChannelClosed,
  encodeFlagPayload,
  encodeInteractiveShellPayload,
  parseAgentSessionState,
  parseAgentTaskComplete,
  type DecodedAgentMessage,
  type JsonObject,
} from '@openssm/protocol';
import { afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  Agent,
  AgentError,
  createLogger,
  describeStatus,
  nodeEnvironment,
  registerNode,
  resolveAgentConfig,
  type AgentDependencies,
  type Registration,
  type UserDirectory,
} from '../src/index.js';
import { ACTIVATION_ID, FakeGateway, type AgentDataSocket } from './fake-gateway.js';
import { waitFor } from './session-harness.js';
import { quickRunArgs, registerArgs } from './agent-under-test.js';

const me = userInfo();
let dir: string;
let home: string;
let gateway: FakeGateway;
let logs: string[];
const agents: Agent[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-agent-it-'));
  home = mkdtempSync(join(tmpdir(), 'openssm-agent-home-'));
  gateway = await FakeGateway.start();
  logs = [];
  onTestFailed(() => {
    // The agent's own log (no secrets in it) is the first thing to read when this fails.
    process.stderr.write(`agent log:\n${logs.join('')}\n`);
  });
});

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** The agent's own user with an empty home: no dotfiles, nothing slow in a login shell. */
function hermeticUsers(): UserDirectory {
  return {
    current: () => ({
      name: me.username,
      uid: me.uid,
      gid: me.gid,
      home,
      shell: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
    }),
    lookup: () => Promise.resolve(undefined),
  };
}

async function register(extra: string[] = []): Promise<Registration> {
  const config = resolveAgentConfig(
    'register',
    [...registerArgs(gateway, dir), ...extra],
    {},
    process.cwd(),
  );
  return registerNode(
    config,
    createLogger('debug', (line) => logs.push(line)),
  );
}

/** Waits until the agent's control channel is open and the gateway has taken it. */
async function controlChannelOpen(agent: Agent, count = 1): Promise<void> {
  await waitFor(
    () => agent.control.isConnected && gateway.controlSockets.length >= count,
    'the control channel',
  );
}

async function startAgent(deps: AgentDependencies = {}, flags: string[] = []): Promise<Agent> {
  const config = resolveAgentConfig(
    'run',
    [...quickRunArgs(dir), ...flags],
    { PATH: process.env['PATH'] },
    process.cwd(),
  );
  const agent = await Agent.load(config, {
    log: createLogger('debug', (line) => logs.push(line)),
    agentIsRoot: false,
    users: hermeticUsers(),
    taskCompleteRetryMs: 150,
    handshakeTimeoutMs: 5000,
    dataChannelReconnectDeadlineMs: 5000,
    shutdownTimeoutMs: 5000,
    ...deps,
  });
  agents.push(agent);
  await agent.start();
  return agent;
}

const RUN_SHELL: JsonObject = {
  schemaVersion: '1.0',
  description: 'Document to hold regional settings for Session Manager',
  sessionType: 'Standard_Stream',
  inputs: { runAsEnabled: false, runAsDefaultUser: '', shellProfile: { linux: 'PS1="$ "' } },
};

function sendSession(
  sessionId: string,
  documentContent: JsonObject = RUN_SHELL,
  parameters: Record<string, string> = {},
): void {
  gateway.sendControl(
    MessageType.InteractiveShell,
    encodeInteractiveShellPayload({
      content: encodeAgentTaskPayload({
        sessionId,
        documentName: 'SSM-SessionManagerRunShell',
        documentContent,
        parameters,
      }),
      taskId: sessionId,
      topic: 'aws.ssm.startSession',
    }),
  );
}

/** The client end of a session, played by the test on the agent's data socket. */
interface Client {
  readonly channel: DataChannel;
  readonly handshake: ClientHandshake;
  readonly output: StreamMessage[];
  /** The agent's current data socket (replaced when the agent re-creates it). */
  socket(): AgentDataSocket;
  text(): string;
  type(text: string): void;
}

function connectClient(sessionId: string): Client {
  const output: StreamMessage[] = [];
  let current: AgentDataSocket | undefined;
  const channel: DataChannel = new DataChannel({
    role: 'client',
    environment: nodeEnvironment,
    handlers: {
      onStreamMessage: (message) => {
        if (handshake.handle(message)) return true;
        output.push({ ...message, payload: Uint8Array.from(message.payload) });
        return true;
      },
    },
  });
  const handshake = new ClientHandshake({
    channel,
    clientVersion: '1.2.0.0',
    transportLimits: { maxPayloadLength: 64 * 1024, windowSize: 256, cumulativeAcks: true },
  });
  const attach = (entry: AgentDataSocket): void => {
    current = entry;
    entry.socket.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const bytes = new Uint8Array(data as Buffer);
      const type = decodeAgentMessage(bytes).messageType;
      if (type === MessageType.OutputStreamData || type === MessageType.Acknowledge) {
        channel.receive(bytes);
      }
    });
    channel.attach({ send: (bytes) => entry.socket.send(bytes) });
  };
  for (const entry of gateway.dataSockets) if (entry.sessionId === sessionId) attach(entry);
  const previous = gateway.onDataSocket;
  gateway.onDataSocket = (entry) => {
    if (entry.sessionId === sessionId) attach(entry);
    else previous(entry);
  };
  const decoder = new TextDecoder();
  return {
    channel,
    handshake,
    output,
    socket: () => current!,
    text: () =>
      output
        .filter((message) => message.payloadType === PayloadType.Output)
        .map((message) => decoder.decode(message.payload, { stream: true }))
        .join(''),
    type: (text) => void channel.send(PayloadType.Output, new TextEncoder().encode(text)),
  };
}

function sessionStates(sessionId: string): string[] {
  return gateway.dataSockets
    .filter((entry) => entry.sessionId === sessionId)
    .flatMap((entry) => entry.received)
    .filter((message) => message.messageType === MessageType.AgentSessionState)
    .map((message) => parseAgentSessionState(message.payload).sessionState);
}

function completions(sessionId: string): DecodedAgentMessage[] {
  return gateway.controlReceived.filter(
    (message) =>
      message.messageType === MessageType.AgentTaskComplete &&
      parseAgentTaskComplete(message.payload).taskId === sessionId,
  );
}

/**
 * Lines of the transcript as a terminal shows them: escape sequences (bash's bracketed-paste
 * switches) removed, a carriage return overwriting the line. The echo of a typed command thus
 * never equals its output.
 */
function screenLines(client: Client): string[] {
  return (
    client
      .text()
      // eslint-disable-next-line no-control-regex -- ESC is exactly what this removes
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      .split('\n')
      .map((line) => line.replace(/\r$/, '').split('\r').at(-1)!)
  );
}

function printed(client: Client, line: string): boolean {
  return screenLines(client).includes(line);
}

describe('openssm-agent register', () => {
  it('registers with an unsigned RegisterManagedInstance and writes 0600 state in a 0700 directory', async () => {
    const registration = await register();
    expect(registration.instanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    const node = gateway.nodes.get(registration.instanceId)!;
    expect(node.fingerprint).toBe(registration.fingerprint);
    expect(registration.fingerprint).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ['registration.json', 'private-key.pem']) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    const status = await describeStatus({ stateDir: dir });
    expect(status.ok).toBe(true);
    expect(status.lines).toContain(`Instance ID: ${registration.instanceId}`);
    expect(status.lines).toContain(`Server: ${gateway.url}`);
  });

  it('refuses to register over a registration unless forced, and --force makes a new node', async () => {
    const first = await register();
    const refused = register();
    await expect(refused).rejects.toBeInstanceOf(AgentError);
    await expect(refused).rejects.toMatchObject({ code: 'AlreadyRegistered' });
    const second = await register(['--force']);
    expect(second.instanceId).not.toBe(first.instanceId);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    const firstKey = gateway.nodes
      .get(first.instanceId)!
      .publicKey.export({ format: 'der', type: 'spki' });
    const secondKey = gateway.nodes
      .get(second.instanceId)!
      .publicKey.export({ format: 'der', type: 'spki' });
    expect(secondKey.equals(firstKey)).toBe(false);
  });

  it('shows the server’s error as Code: message', async () => {
    const config = resolveAgentConfig(
      'register',
      [
        '--server',
        gateway.url,
        '--activation-code',
        'wrong-code-0123456789',
        '--activation-id',
        ACTIVATION_ID,
        '--state-dir',
        dir,
      ],
      {},
      process.cwd(),
    );
    const failure = registerNode(
      config,
      createLogger('error', () => undefined),
    );
    await expect(failure).rejects.toMatchObject({
      code: 'ServerError',
      awsCode: 'InvalidActivation',
      message: 'Activation does not exist.',
    });
    expect(existsSync(join(dir, 'registration.json'))).toBe(false);
  });
});

describe('openssm-agent run', () => {
  it('gets RSA-signed credentials, sends a signed heartbeat and opens the control channel', async () => {
    const registration = await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    await waitFor(() => gateway.calls('UpdateInstanceInformation').length > 0, 'a heartbeat');
    expect(gateway.calls('RequestManagedInstanceRoleToken')[0]).toMatchObject({
      auth: 'rsa',
      body: { Fingerprint: registration.fingerprint },
    });
    const beat = gateway.calls('UpdateInstanceInformation')[0]!.body;
    expect(beat).toMatchObject({
      InstanceId: registration.instanceId,
      AgentName: 'openssm-agent',
      AgentStatus: 'Active',
      PlatformType: 'Linux',
    });
    expect(beat['AgentVersion']).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(gateway.channelRequests).toEqual([
      {
        kind: 'rest',
        path: `/v1/control-channel/${registration.instanceId}`,
        service: 'ssmmessages',
      },
      {
        kind: 'ws',
        path: `/v1/control-channel/${registration.instanceId}`,
        service: 'ssmmessages',
      },
    ]);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('runs a shell session end to end and survives control- and data-socket drops', async () => {
    await register();
    gateway.autoAcknowledge = false;
    const agent = await startAgent();
    await controlChannelOpen(agent);

    sendSession('s-1');
    const client = connectClient('s-1');
    await waitFor(() => gateway.dataSockets.length === 1, 'the agent’s data channel');
    const negotiated = await client.handshake.done;
    expect(negotiated).toMatchObject({ handshake: true, sessionType: 'Standard_Stream' });
    expect(negotiated.transport).toMatchObject({
      maxPayloadLength: 64 * 1024,
      cumulativeAcks: true,
    });
    expect(sessionStates('s-1')).toEqual(['Connected']);

    client.type('echo $((6*7))\r');
    await waitFor(() => printed(client, '42'), '42 from the shell');

    // The control socket dies: the agent fetches a new token and reconnects; the shell lives on.
    gateway.controlSocket!.terminate();
    await controlChannelOpen(agent, 2);
    expect(gateway.restCount('control')).toBe(2);
    client.type('echo $((7*8))\r');
    await waitFor(() => printed(client, '56'), '56 after the control channel came back');

    // The data socket dies in the middle of output: a new data channel, and not a line lost.
    client.type('for i in $(seq 1 100); do echo L$i; sleep 0.01; done; echo $((9*9))\r');
    await waitFor(() => printed(client, 'L5'), 'the loop to start');
    client.socket().socket.terminate();
    expect(printed(client, 'L100')).toBe(false);
    await waitFor(() => gateway.restCount('data') === 2, 'a second CreateDataChannel');
    await waitFor(() => printed(client, '81'), 'the end of the loop');
    const lines = screenLines(client).filter((line) => /^L\d+$/.test(line));
    expect(lines).toEqual(Array.from({ length: 100 }, (_, i) => `L${i + 1}`));

    // exit: Terminating on the data channel, then agent_task_complete until acknowledged.
    client.type('exit\r');
    await waitFor(() => sessionStates('s-1').includes('Terminating'), 'Terminating');
    await waitFor(() => completions('s-1').length >= 2, 'agent_task_complete and one retry');
    const [first, second] = completions('s-1');
    expect(second!.messageId).toBe(first!.messageId);
    expect(parseAgentTaskComplete(first!.payload)).toMatchObject({
      taskId: 's-1',
      topic: 'agent_task_complete',
      finalTaskStatus: 'Success',
      retryNumber: 0,
      instanceId: agent.registration.instanceId,
    });
    expect(parseAgentTaskComplete(second!.payload).retryNumber).toBe(1);
    gateway.acknowledge(second!);
    await waitFor(() => agent.completions.unacknowledged === 0, 'the acknowledgement to land');
    const acknowledgedAt = Date.now();
    const sent = completions('s-1').length;

    // Meanwhile a second session: ended by channel_closed on the control channel.
    gateway.autoAcknowledge = true;
    sendSession('s-2');
    const other = connectClient('s-2');
    await other.handshake.done;
    gateway.sendControl(
      MessageType.ChannelClosed,
      encodeChannelClosed({
        messageId: crypto.randomUUID(),
        createdDate: String(Date.now()),
        destinationId: agent.registration.instanceId,
        sessionId: 's-2',
      }),
    );
    await waitFor(() => completions('s-2').length > 0, 'the second session’s report');
    expect(parseAgentTaskComplete(completions('s-2')[0]!.payload).finalTaskStatus).toBe('Success');
    // Well past three retry intervals after the acknowledgement: no more copies for s-1.
    await waitFor(() => Date.now() - acknowledgedAt > 3 * 150, 'three retry intervals');
    expect(completions('s-1')).toHaveLength(sent);
    expect(agent.sessions.size).toBe(0);
  });

  it('ends a session on channel_closed on its data channel and on the TerminateSession flag', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    sendSession('s-closed');
    const client = connectClient('s-closed');
    await client.handshake.done;
    client.socket().socket.send(
      FakeGateway.dataMessage(
        MessageType.ChannelClosed,
        encodeChannelClosed({
          messageId: crypto.randomUUID(),
          createdDate: String(Date.now()),
          destinationId: agent.registration.instanceId,
          sessionId: 's-closed',
          output: 'Your session timed out due to inactivity and has been terminated.',
        }),
      ),
    );
    await waitFor(() => completions('s-closed').length > 0, 'the report');
    expect(gateway.restCount('data')).toBe(1); // it did not try to come back

    sendSession('s-flag');
    const flagged = connectClient('s-flag');
    await flagged.handshake.done;
    void flagged.channel.send(PayloadType.Flag, encodeFlagPayload(PayloadFlag.TerminateSession));
    await waitFor(() => completions('s-flag').length > 0, 'the report');
    expect(parseAgentTaskComplete(completions('s-flag')[0]!.payload).finalTaskStatus).toBe(
      'Success',
    );
  });

  it('runs InteractiveCommands with the parameter substituted', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    sendSession(
      'alice@corp:cmd-1',
      {
        schemaVersion: '1.0',
        sessionType: 'InteractiveCommands',
        parameters: { command: { type: 'String' } },
        properties: { linux: { commands: 'echo {{ command }}; exit 3' } },
      },
      { command: 'it-works' },
    );
    const client = connectClient('alice@corp:cmd-1');
    expect((await client.handshake.done).sessionType).toBe('InteractiveCommands');
    await waitFor(() => completions('alice@corp:cmd-1').length > 0, 'the report');
    expect(printed(client, 'it-works')).toBe(true);
    expect(sessionStates('alice@corp:cmd-1')).toEqual(['Connected', 'Terminating']);
  });

  it('reports a session it cannot run as Failed with the reason', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    sendSession('s-port', {
      schemaVersion: '1.0',
      sessionType: 'Port',
      properties: { portNumber: 'seventy' },
    });
    await waitFor(() => completions('s-port').length > 0, 'the report');
    const report = parseAgentTaskComplete(completions('s-port')[0]!.payload);
    expect(report.finalTaskStatus).toBe('Failed');
    expect(report.output).toMatch(/portNumber "seventy" is not a port number/);
    expect(gateway.restCount('data')).toBe(0);
  });

  it('reconnects a control channel whose peer stops answering pings', async () => {
    await gateway.close();
    gateway = await FakeGateway.start({ answerPings: false });
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    await waitFor(
      () => gateway.controlSockets.length >= 2,
      'a reconnect after 1 s of silence',
      5000,
    );
  });

  it('stops on request: sessions ended and reported, control channel closed', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    sendSession('s-stop');
    const client = connectClient('s-stop');
    await client.handshake.done;
    await agent.stop();
    await expect(agent.exited).resolves.toBe(0);
    expect(parseAgentTaskComplete(completions('s-stop')[0]!.payload).finalTaskStatus).toBe(
      'Success',
    );
    await waitFor(
      () => gateway.controlSocket!.readyState === gateway.controlSocket!.CLOSED,
      'closed',
    );
    expect(agent.sessions.size).toBe(0);
  });

  it('stops with status 78 when the server no longer knows the node', async () => {
    const registration = await register();
    gateway.nodes.delete(registration.instanceId);
    const agent = await startAgent();
    await expect(agent.exited).resolves.toBe(78);
  });
});

describe('openssm-agent run, faults', () => {
  it('fails a session whose data channel cannot be created, with the server’s reason', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    gateway.refuseDataChannels = true;
    sendSession('s-gone');
    await waitFor(() => completions('s-gone').length > 0, 'the report');
    const report = parseAgentTaskComplete(completions('s-gone')[0]!.payload);
    expect(report.finalTaskStatus).toBe('Failed');
    expect(report.output).toMatch(/Session s-gone does not exist/);
    expect(gateway.restCount('data')).toBe(1); // a definite refusal is not retried
  });

  it('ends a session whose data channel cannot be re-created', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    sendSession('s-lost');
    const client = connectClient('s-lost');
    await client.handshake.done;
    gateway.refuseDataChannels = true;
    client.socket().socket.terminate();
    await waitFor(() => completions('s-lost').length > 0, 'the report');
    const report = parseAgentTaskComplete(completions('s-lost')[0]!.payload);
    expect(report.finalTaskStatus).toBe('Failed');
    expect(report.output).toMatch(/data channel was lost: DoesNotExistException/);
  });

  it('ignores text frames and unknown message types, and reconnects after a bad frame', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    gateway.controlSocket!.send('{"not":"binary"}');
    gateway.sendControl(MessageType.AgentJob, new TextEncoder().encode('{}'));
    gateway.sendControl('openssm_future', new TextEncoder().encode('{}'));
    // An interactive_shell whose content is not a task: reported as Failed under its TaskId.
    gateway.sendControl(
      MessageType.InteractiveShell,
      encodeInteractiveShellPayload({ content: '{"nope":1}', taskId: 's-bad', topic: 't' }),
    );
    await waitFor(() => completions('s-bad').length > 0, 'the report of the unreadable task');
    expect(parseAgentTaskComplete(completions('s-bad')[0]!.payload)).toMatchObject({
      finalTaskStatus: 'Failed',
      output: expect.stringMatching(/not valid/) as string,
    });
    expect(gateway.controlSockets).toHaveLength(1);
    gateway.controlSocket!.send(new Uint8Array([1, 2, 3]));
    await controlChannelOpen(agent, 2);
    expect(logs.join('')).toContain('bad frame on the control channel');
  });

  it('starts a session once however often interactive_shell repeats', async () => {
    await register();
    const agent = await startAgent();
    await controlChannelOpen(agent);
    sendSession('s-twice', {
      schemaVersion: '1.0',
      sessionType: 'NonInteractiveCommands',
      properties: { linux: { commands: 'sleep 30' } },
    });
    sendSession('s-twice');
    await waitFor(() => gateway.restCount('data') === 1, 'the data channel');
    const client = connectClient('s-twice');
    await client.handshake.done;
    expect(agent.sessions.size).toBe(1);
    gateway.sendControl(
      MessageType.ChannelClosed,
      encodeChannelClosed({
        messageId: crypto.randomUUID(),
        createdDate: String(Date.now()),
        destinationId: agent.registration.instanceId,
        sessionId: 'no-such-session',
      }),
    );
    await agent.stop();
    expect(completions('s-twice')).toHaveLength(1);
    expect(gateway.restCount('data')).toBe(1);
  });

  it('renews credentials the server calls expired and beats again', async () => {
    await register();
    gateway.expireNextHeartbeat = true;
    const agent = await startAgent();
    await waitFor(() => gateway.calls('UpdateInstanceInformation').length === 1, 'the second try');
    expect(gateway.calls('RequestManagedInstanceRoleToken')).toHaveLength(2);
    await agent.stop();
  });
});
