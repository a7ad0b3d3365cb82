// The real agent against the real OpenSSM server (its gateway included): an activation made with
// the administrator's credentials through the AWS SDK, `openssm-agent register`, `run`, and a
// shell session opened with StartSession and driven through the StreamUrl by a client engine —
// as the AWS plugin would, minus the terminal.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  CreateActivationCommand,
  DescribeSessionsCommand,
  GetConnectionStatusCommand,
  SSMClient,
  StartSessionCommand,
} from '@aws-sdk/client-ssm';
import { ClientHandshake, DataChannel, type StreamMessage } from '@openssm/channel';
import {
  MessageType,
  PayloadType,
  decodeAgentMessage,
  encodeClientOpenDataChannel,
} from '@openssm/protocol';
import { startTestServer, type TestServer } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { WebSocket } from 'ws';
import {
  Agent,
  createLogger,
  nodeEnvironment,
  resolveAgentConfig,
  runCli,
  type UserDirectory,
} from '../src/index.js';
import { waitFor } from './session-harness.js';

let server: TestServer;
let ssm: SSMClient;
let dir: string;
let home: string;
let logs: string[];

beforeEach(async () => {
  server = await startTestServer({ agentGraceMs: 5000 });
  ssm = new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.adminCredentials,
    maxAttempts: 1,
  });
  dir = mkdtempSync(join(tmpdir(), 'openssm-agent-real-'));
  home = mkdtempSync(join(tmpdir(), 'openssm-agent-real-home-'));
  logs = [];
  onTestFailed(() => {
    process.stderr.write(`agent log:\n${logs.join('')}\n`);
  });
});

afterEach(async () => {
  ssm.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const me = userInfo();
const users: UserDirectory = {
  current: () => ({
    name: me.username,
    uid: me.uid,
    gid: me.gid,
    home,
    shell: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
  }),
  lookup: () => Promise.resolve(undefined),
};

describe('the agent against the real server', () => {
  it('registers, connects, and serves a shell session started with StartSession', async () => {
    const activation = await ssm.send(
      new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole', RegistrationLimit: 1 }),
    );
    let stdout = '';
    const code = await runCli(
      [
        'register',
        '--server',
        server.url,
        '--region',
        server.region,
        '--activation-id',
        activation.ActivationId!,
        '--state-dir',
        dir,
      ],
      {
        env: { OPENSSM_AGENT_ACTIVATION_CODE: activation.ActivationCode! },
        cwd: dir,
        stdout: (text) => (stdout += text),
        stderr: (text) => logs.push(text),
        onStopSignal: () => undefined,
      },
    );
    expect(code).toBe(0);
    const instanceId = stdout.trim();
    expect(instanceId).toMatch(/^mi-[0-9a-f]{17}$/);

    const config = resolveAgentConfig(
      'run',
      ['--state-dir', dir],
      { PATH: process.env['PATH'] },
      dir,
    );
    const agent = await Agent.load(config, {
      log: createLogger('debug', (line) => logs.push(line)),
      agentIsRoot: false,
      users,
      shutdownTimeoutMs: 5000,
    });
    await agent.start();
    try {
      await waitFor(async () => {
        const status = await ssm.send(new GetConnectionStatusCommand({ Target: instanceId }));
        return status.Status === 'connected';
      }, 'the node to be connected');

      const started = await ssm.send(new StartSessionCommand({ Target: instanceId }));
      const socket = new WebSocket(started.StreamUrl!, { perMessageDeflate: false });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(
        encodeClientOpenDataChannel({
          requestId: randomUUID(),
          tokenValue: started.TokenValue!,
          clientId: randomUUID(),
          clientVersion: '1.2.0.0',
        }),
      );
      const output: string[] = [];
      let closed = false;
      const channel: DataChannel = new DataChannel({
        role: 'client',
        environment: nodeEnvironment,
        handlers: {
          onStreamMessage: (message: StreamMessage) => {
            if (handshake.handle(message)) return true;
            if (message.payloadType === PayloadType.Output)
              output.push(Buffer.from(message.payload).toString('utf8'));
            return true;
          },
          onOtherMessage: (message) => {
            if (message.messageType === MessageType.ChannelClosed) closed = true;
          },
        },
      });
      const handshake = new ClientHandshake({
        channel,
        clientVersion: '1.2.0.0',
        transportLimits: { maxPayloadLength: 64 * 1024, windowSize: 256, cumulativeAcks: true },
      });
      socket.on('message', (data, isBinary) => {
        if (!isBinary) return;
        const bytes = new Uint8Array(data as Buffer);
        decodeAgentMessage(bytes); // the relay must pass well-formed frames only
        channel.receive(bytes);
      });
      channel.attach({ send: (bytes) => socket.send(bytes) });

      const negotiated = await handshake.done;
      expect(negotiated.sessionType).toBe('Standard_Stream');
      void channel.send(PayloadType.Output, new TextEncoder().encode('echo $((6*7))\r'));
      // The shell's own line, not the echo of the typed command (escape sequences removed,
      // a carriage return overwriting the line as on a terminal).
      const printed = (line: string): boolean =>
        output
          .join('')
          // eslint-disable-next-line no-control-regex -- ESC is exactly what this removes
          .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
          .split('\n')
          .some((text) => text.replace(/\r$/, '').split('\r').at(-1) === line);
      await waitFor(() => printed('42'), '42 from the shell');
      void channel.send(PayloadType.Output, new TextEncoder().encode('exit\r'));
      await waitFor(() => closed, 'channel_closed from the server');
      await waitFor(async () => {
        const history = await ssm.send(new DescribeSessionsCommand({ State: 'History' }));
        return (history.Sessions ?? []).some((session) => session.SessionId === started.SessionId);
      }, 'the session in the history');
      channel.close();
      socket.close();
    } finally {
      await agent.stop();
    }
    expect(await agent.exited).toBe(0);
  });
});
