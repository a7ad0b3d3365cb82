// The message gateway over real sockets: a registered node opens its control channel with a
// token from CreateControlChannel, StartSession reaches it as interactive_shell, both sides open
// the data channel with one-time tokens, frames are relayed, and sessions end on either side.
// Agent and client are played by our own protocol/channel engines.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  CreateActivationCommand,
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  GetConnectionStatusCommand,
  SSMClient,
  StartSessionCommand,
  TerminateSessionCommand,
} from '@aws-sdk/client-ssm';
import { signJsonRequestWithRsa } from '@openssm/agent';
import { DataChannel, type ChannelRole, type StreamMessage } from '@openssm/channel';
import {
  MessageType,
  PayloadType,
  decodeAgentMessage,
  encodeAgentMessage,
  encodeAgentOpenDataChannel,
  encodeAgentTaskComplete,
  encodeClientOpenDataChannel,
  encodeOpenControlChannel,
  encodeUtf8,
  parseAgentTaskPayload,
  parseChannelClosed,
  parseInteractiveShellPayload,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import {
  nodeSha256,
  signedFetch,
  startTestServer,
  type Credentials,
  type TestServer,
  pollUntil as pollUntilDefault,
} from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

let server: TestServer;
let ssm: SSMClient;

beforeEach(async () => {
  server = await startTestServer({ agentGraceMs: 300 });
  ssm = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
  });
});
afterEach(async () => {
  ssm.destroy();
  await server.close();
});

/** Gateway steps take milliseconds: give up well inside the test timeout. */
const pollUntil = <T>(
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  what: string,
) => pollUntilDefault(probe, what, 10_000);

/** A WebSocket that records what it receives. */
class Socket {
  readonly frames: DecodedAgentMessage[] = [];
  closeCode: number | undefined;
  readonly ws: WebSocket;
  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (data, binary) => {
      if (binary) this.frames.push(decodeAgentMessage(new Uint8Array(data as Buffer)));
    });
    this.ws.on('close', (code) => (this.closeCode = code));
  }
  async open(text: string): Promise<this> {
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.send(text);
    return this;
  }
  of(type: string): DecodedAgentMessage[] {
    return this.frames.filter((frame) => frame.messageType === type);
  }
}

/** A registered node with credentials and an open control channel. */
async function connectNode() {
  const activation = await ssm.send(
    new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole', DefaultInstanceName: 'web-1' }),
  );
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fingerprint = randomUUID();
  const registered = await fetch(`${server.url}/`, {
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
  const instanceId = ((await registered.json()) as { InstanceId: string }).InstanceId;
  const body = JSON.stringify({ Fingerprint: fingerprint });
  const headers = signJsonRequestWithRsa(
    { host: new URL(server.url).host, target: 'AmazonSSM.RequestManagedInstanceRoleToken', body },
    { instanceId, privateKey, region: server.region },
    new Date(),
  );
  const issued = (await (
    await fetch(`${server.url}/`, { method: 'POST', headers, body })
  ).json()) as Record<string, string>;
  const credentials: Credentials = {
    accessKeyId: issued['AccessKeyId']!,
    secretAccessKey: issued['SecretAccessKey']!,
    sessionToken: issued['SessionToken']!,
  };
  const controlToken = await createChannelToken(`control-channel/${instanceId}`, credentials);
  const control = await new Socket(
    `${server.url.replace('http', 'ws')}/v1/control-channel/${instanceId}?role=subscribe&stream=input`,
  ).open(
    encodeOpenControlChannel({
      requestId: randomUUID(),
      tokenValue: controlToken,
      agentVersion: '3.3.987.0',
      platformType: 'linux',
      cookie: null,
    }),
  );
  await pollUntil(async () => {
    const status = await ssm.send(new GetConnectionStatusCommand({ Target: instanceId }));
    return status.Status === 'connected';
  }, 'the node to be connected');
  return { instanceId, credentials, control };
}

async function createChannelToken(path: string, credentials: Credentials): Promise<string> {
  const response = await signedFetch({
    url: `${server.url}/v1/${path}`,
    service: 'ssmmessages',
    region: server.region,
    credentials,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ MessageSchemaVersion: '1.0', RequestId: randomUUID() }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(201);
  return /<TokenValue>([^<]+)<\/TokenValue>/.exec(text)![1]!;
}

interface End {
  readonly socket: Socket;
  readonly channel: DataChannel;
  readonly received: string[];
}

function engine(role: ChannelRole, socket: Socket): End {
  const received: string[] = [];
  const channel = new DataChannel({
    role,
    environment: {
      clock: {
        now: Date.now,
        setTimeout: (cb, ms) => setTimeout(cb, ms),
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      },
      sha256: nodeSha256,
      randomUUID,
    },
    handlers: {
      onStreamMessage: (message: StreamMessage) => {
        received.push(Buffer.from(message.payload).toString('utf8'));
        return true;
      },
    },
  });
  socket.ws.on('message', (data, binary) => {
    if (binary) channel.receive(new Uint8Array(data as Buffer));
  });
  channel.attach({ send: (bytes) => socket.ws.send(bytes) });
  return { socket, channel, received };
}

/** Starts a session and opens both ends of its data channel. */
async function openSession(node: Awaited<ReturnType<typeof connectNode>>) {
  const started = await ssm.send(
    new StartSessionCommand({ Target: node.instanceId, Reason: 'testing' }),
  );
  const shell = await pollUntil(
    () => node.control.of(MessageType.InteractiveShell).at(-1),
    'interactive_shell',
  );
  const task = parseAgentTaskPayload(parseInteractiveShellPayload(shell.payload).content);
  expect(task).toMatchObject({
    sessionId: started.SessionId,
    documentName: 'SSM-SessionManagerRunShell',
  });
  const agentToken = await createChannelToken(
    `data-channel/${started.SessionId}`,
    node.credentials,
  );
  const streamUrl = started.StreamUrl!;
  const agentSocket = await new Socket(streamUrl).open(
    encodeAgentOpenDataChannel({
      requestId: randomUUID(),
      tokenValue: agentToken,
      clientInstanceId: node.instanceId,
      clientId: '',
    }),
  );
  const agent = engine('agent', agentSocket);
  const clientSocket = await new Socket(streamUrl).open(
    encodeClientOpenDataChannel({
      requestId: randomUUID(),
      tokenValue: started.TokenValue!,
      clientId: randomUUID(),
      clientVersion: '1.2.694.0',
    }),
  );
  const client = engine('client', clientSocket);
  return {
    sessionId: started.SessionId!,
    streamUrl,
    tokenValue: started.TokenValue!,
    agent,
    client,
  };
}

async function sessionStatus(sessionId: string, state: 'Active' | 'History') {
  const found = await ssm.send(
    new DescribeSessionsCommand({
      State: state,
      Filters: [{ key: 'SessionId', value: sessionId }],
    }),
  );
  return found.Sessions?.[0]?.Status;
}

describe('message gateway', () => {
  it('shows a node with an open control channel as Online', async () => {
    const node = await connectNode();
    const info = await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(info.InstanceInformationList?.[0]).toMatchObject({
      InstanceId: node.instanceId,
      PingStatus: 'Online',
    });
    node.control.ws.close();
    await pollUntil(async () => {
      const after = await ssm.send(new DescribeInstanceInformationCommand({}));
      return after.InstanceInformationList?.[0]?.PingStatus === 'ConnectionLost';
    }, 'ConnectionLost');
  });

  it('relays a session both ways and ends it when the agent reports completion', async () => {
    const node = await connectNode();
    const session = await openSession(node);
    await session.client.channel.send(PayloadType.Output, encodeUtf8('echo hi\r'));
    await session.agent.channel.send(PayloadType.Output, encodeUtf8('hi\r\n'));
    await pollUntil(
      () =>
        session.agent.received.includes('echo hi\r') && session.client.received.includes('hi\r\n'),
      'relayed data',
    );
    await pollUntil(
      () => session.client.channel.inFlight === 0 && session.agent.channel.inFlight === 0,
      'acknowledgements',
    );
    expect(await sessionStatus(session.sessionId, 'Active')).toBe('Connected');

    const complete = encodeAgentMessage(
      {
        messageType: MessageType.AgentTaskComplete,
        schemaVersion: 1,
        createdDate: Date.now(),
        sequenceNumber: 0,
        flags: 0,
        messageId: randomUUID(),
        payloadType: 0,
        payload: encodeAgentTaskComplete({
          taskId: session.sessionId,
          topic: 'agent_task_complete',
          finalTaskStatus: 'Success',
          isRoutingFailure: false,
          awsAccountId: '',
          instanceId: node.instanceId,
          output: '',
          s3Bucket: '',
          s3UrlSuffix: '',
          cwlGroup: '',
          cwlStream: session.sessionId,
          retryNumber: 0,
        }),
      },
      nodeSha256,
    );
    node.control.ws.send(complete);
    const ack = await pollUntil(
      () => node.control.of(MessageType.AgentTaskAcknowledge)[0],
      'agent_task_acknowledge',
    );
    expect(JSON.parse(Buffer.from(ack.payload).toString())).toMatchObject({
      MessageId: decodeAgentMessage(complete).messageId,
      TaskId: session.sessionId,
    });
    const closed = await pollUntil(
      () => session.client.socket.of(MessageType.ChannelClosed)[0],
      'channel_closed to the client',
    );
    expect(parseChannelClosed(closed.payload)).toMatchObject({
      sessionId: session.sessionId,
      output: '',
    });
    expect(await pollUntil(() => sessionStatus(session.sessionId, 'History'), 'history')).toBe(
      'Terminated',
    );
  });

  it('pauses the agent while the client is away and resumes it with a fresh token', async () => {
    const node = await connectNode();
    const session = await openSession(node);
    await pollUntil(
      () => session.agent.socket.of(MessageType.StartPublication).length > 0,
      'start_publication',
    );
    session.client.socket.ws.close();
    await pollUntil(
      () => session.agent.socket.of(MessageType.PausePublication).length > 1,
      'pause_publication',
    );
    expect(
      await pollUntil(
        () =>
          sessionStatus(session.sessionId, 'Active').then((s) =>
            s === 'Disconnected' ? s : undefined,
          ),
        'Disconnected',
      ),
    ).toBe('Disconnected');
    // The first token was single-use.
    const replay = await new Socket(session.streamUrl).open(
      encodeClientOpenDataChannel({
        requestId: randomUUID(),
        tokenValue: session.tokenValue,
        clientId: randomUUID(),
        clientVersion: '1.2.694.0',
      }),
    );
    expect(await pollUntil(() => replay.closeCode, 'refusal')).toBe(4401);
    const resumed = (await (
      await signedFetch({
        url: `${server.url}/`,
        service: 'ssm',
        region: server.region,
        credentials: server.adminCredentials,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonSSM.ResumeSession',
        },
        body: JSON.stringify({ SessionId: session.sessionId }),
      })
    ).json()) as { TokenValue: string; StreamUrl: string };
    expect(resumed.StreamUrl).toBe(session.streamUrl);
    const again = await new Socket(session.streamUrl).open(
      encodeClientOpenDataChannel({
        requestId: randomUUID(),
        tokenValue: resumed.TokenValue,
        clientId: randomUUID(),
        clientVersion: '1.2.694.0',
      }),
    );
    session.client.channel.detach();
    const client = engine('client', again);
    await pollUntil(
      () => session.agent.socket.of(MessageType.StartPublication).length > 1,
      'start_publication again',
    );
    await session.agent.channel.send(PayloadType.Output, encodeUtf8('after resume'));
    await pollUntil(() => client.received.includes('after resume'), 'output after resume');
  });

  it('ends the session for the client when the agent vanishes, and TerminateSession tells both sides', async () => {
    const node = await connectNode();
    const lost = await openSession(node);
    lost.agent.socket.ws.terminate();
    const closed = await pollUntil(
      () => lost.client.socket.of(MessageType.ChannelClosed)[0],
      'channel_closed after agent loss',
    );
    expect(parseChannelClosed(closed.payload).output).toBe(
      'The session ended because the node disconnected.',
    );
    expect(await pollUntil(() => sessionStatus(lost.sessionId, 'History'), 'history')).toBe(
      'Failed',
    );

    const ended = await openSession(node);
    await ssm.send(new TerminateSessionCommand({ SessionId: ended.sessionId }));
    await pollUntil(
      () => ended.client.socket.of(MessageType.ChannelClosed)[0],
      'channel_closed to the client',
    );
    await pollUntil(
      () => ended.agent.socket.of(MessageType.ChannelClosed)[0],
      'channel_closed to the agent',
    );
    const onControl = await pollUntil(
      () =>
        node.control
          .of(MessageType.ChannelClosed)
          .find((m) => parseChannelClosed(m.payload).sessionId === ended.sessionId),
      'channel_closed on the control channel',
    );
    expect(onControl.flags).toBe(0);
    expect(await sessionStatus(ended.sessionId, 'History')).toBe('Terminated');
  });

  it('refuses StartSession to an offline node, and a garbage frame closes only its own connection', async () => {
    const node = await connectNode();
    const first = await openSession(node);
    const second = await openSession(node);
    first.client.socket.ws.send(Buffer.from('definitely not an AgentMessage'));
    expect(await pollUntil(() => first.client.socket.closeCode, 'close')).toBe(1002);
    await second.client.channel.send(PayloadType.Output, encodeUtf8('still here'));
    await pollUntil(
      () => second.agent.received.includes('still here'),
      'the other session still relays',
    );

    node.control.ws.close();
    await pollUntil(
      async () =>
        (await ssm.send(new GetConnectionStatusCommand({ Target: node.instanceId }))).Status ===
        'notconnected',
      'offline',
    );
    await expect(
      ssm.send(new StartSessionCommand({ Target: node.instanceId })),
    ).rejects.toMatchObject({ name: 'TargetNotConnected' });
    await expect(
      ssm.send(new StartSessionCommand({ Target: 'mi-00000000000000000' })),
    ).rejects.toMatchObject({
      name: 'TargetNotConnected',
    });
  });

  it('only lets a node open its own channels', async () => {
    const node = await connectNode();
    const other = await connectNode();
    const response = await signedFetch({
      url: `${server.url}/v1/control-channel/${other.instanceId}`,
      service: 'ssmmessages',
      region: server.region,
      credentials: node.credentials,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
    const session = await openSession(other);
    const stolen = await signedFetch({
      url: `${server.url}/v1/data-channel/${session.sessionId}`,
      service: 'ssmmessages',
      region: server.region,
      credentials: node.credentials,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(stolen.status).toBe(403);
  });
});
