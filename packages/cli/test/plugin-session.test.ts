// session-manager-plugin run in-process against a fake gateway + agent and a fake SSM endpoint:
// the exact lines it prints, the handshake, keystrokes, Size, signals, channel_closed, a dropped
// link resumed without losing or repeating output, and every way a session ends.

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MessageFlags, MessageType, PayloadType, encodeAgentMessage } from '@openssm/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { runPlugin } from '../src/plugin/run-plugin.js';
import { nodeSha256 } from '../src/session/node-environment.js';
import { createRetryPolicy } from '../src/session/retry-policy.js';
import { PLUGIN_VERSION } from '../src/version.js';
import { FakeGateway, type FakeGatewayOptions } from './helpers/fake-gateway.js';
import { FakeSsm } from './helpers/fake-ssm.js';
import { waitFor } from './helpers/poll.js';
import { createTestHost, type TestHost } from './helpers/test-host.js';

const FAST_RETRY = createRetryPolicy({ initialDelayMs: 5, maxDelayMs: 100, maxRetries: 3 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: FakeGatewayOptions = {}) {
  const gateway = await FakeGateway.start(options);
  let resumes = 0;
  const ssm = await FakeSsm.start({
    ResumeSession: (body) => {
      const token = `token-${++resumes}`;
      gateway.acceptedTokens.add(token);
      return { SessionId: body['SessionId'], TokenValue: token, StreamUrl: gateway.streamUrl };
    },
    TerminateSession: (body) => ({ SessionId: body['SessionId'] }),
  });
  cleanups.push(
    () => gateway.close(),
    () => ssm.close(),
  );
  return { gateway, ssm };
}

function startPlugin(
  gateway: FakeGateway,
  ssm: FakeSsm,
  options: { interactive?: boolean; profile?: string; streamUrl?: string } = {},
): { host: TestHost; exit: Promise<number> } {
  const response = JSON.stringify({
    SessionId: gateway.sessionId,
    TokenValue: gateway.token,
    StreamUrl: options.streamUrl ?? gateway.streamUrl,
  });
  const host = createTestHost({
    args: [
      response,
      'us-east-1',
      'StartSession',
      options.profile ?? '',
      '{"Target": "mi-0123456789abcdef0"}',
      ssm.url,
    ],
    env: { ...CREDENTIALS },
    interactive: options.interactive ?? true,
  });
  return { host, exit: runPlugin(host, { retry: FAST_RETRY }) };
}

const started = (id: string): string => `\nStarting session with SessionId: ${id}\n`;

describe('session-manager-plugin session', () => {
  it('prints the captured lines, sends keystrokes, Size and signals, and exits 0 on channel_closed', async () => {
    const { gateway, ssm } = await setUp({ customerMessage: 'hello from fake agent' });
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the first Size');
    expect(gateway.handshakeOutcome?.clientVersion).toBe(PLUGIN_VERSION);
    expect(gateway.sizes()).toEqual([{ cols: 120, rows: 40 }]);
    expect(host.stdout.text).toBe(`${started(gateway.sessionId)}hello from fake agent\n`);
    expect(host.terminal.events).toEqual(['raw']);

    host.stdin.write('ls\r');
    await waitFor(() => gateway.inputText() === 'ls\r', 'the keystrokes');
    await gateway.sendOutput('sh-4.2$ ');
    await gateway.sendOutput('EXIT_CODE: 0', PayloadType.ExitCode);
    await gateway.allAcknowledged();

    host.terminal.resizeTo({ cols: 80, rows: 24 });
    host.terminal.resizeTo({ cols: 80, rows: 24 }); // unchanged: no second message
    await waitFor(() => gateway.sizes().length === 2, 'the Size after a resize');
    expect(gateway.sizes()[1]).toEqual({ cols: 80, rows: 24 });

    for (const signal of ['SIGINT', 'SIGQUIT', 'SIGTSTP'] as const) {
      expect(host.signals.raise(signal)).toBe(true);
    }
    await waitFor(() => gateway.inputText() === 'ls\r\x03\x1c\x1a', 'the signal bytes');

    gateway.sendChannelClosed();
    expect(await exit).toBe(0);
    expect(host.stdout.text).toBe(
      `${started(gateway.sessionId)}hello from fake agent\nsh-4.2$ EXIT_CODE: 0` +
        `\n\nExiting session with sessionId: ${gateway.sessionId}.\n\n`,
    );
    expect(host.terminal.events).toEqual(['raw', 'restore']);
    expect(host.signals.listenerCount('SIGINT')).toBe(0);
    expect(gateway.sizes()).toHaveLength(2);

    expect(gateway.paths).toEqual([`/v1/data-channel/${gateway.sessionId}?role=publish_subscribe`]);
    const [open] = gateway.opens;
    expect(open).toEqual({
      messageSchemaVersion: '1.0',
      requestId: expect.stringMatching(UUID) as unknown,
      tokenValue: gateway.token,
      clientId: expect.stringMatching(UUID) as unknown,
      clientVersion: PLUGIN_VERSION,
    });
    expect(ssm.calls).toEqual([]);
  });

  it("prints channel_closed's Output, and starts on the first output when there is no handshake", async () => {
    const { gateway, ssm } = await setUp({ handshake: false });
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.connected, 'the client');
    await gateway.sendOutput('sh-4.2$ ');
    await waitFor(() => gateway.sizes().length === 1, 'the Size after the first output');
    host.stdin.write('x');
    await waitFor(() => gateway.inputText() === 'x', 'the keystroke');
    gateway.sendChannelClosed('bye from fake MGS');
    expect(await exit).toBe(0);
    expect(host.stdout.text).toBe(
      `${started(gateway.sessionId)}sh-4.2$ \n\nSessionId: ${gateway.sessionId} : bye from fake MGS\n\n`,
    );
  });

  for (const mode of ['AWS', 'OpenSSM'] as const) {
    it(`resumes a dropped link with a new token and the same ClientId, losing and repeating nothing (${mode} transport)`, async () => {
      const { gateway, ssm } = await setUp(
        mode === 'OpenSSM'
          ? { transportOffer: { maxPayloadLength: 65536, windowSize: 256, cumulativeAcks: true } }
          : {},
      );
      const { host, exit } = startPlugin(gateway, ssm);
      await waitFor(() => gateway.sizes().length === 1, 'the session start');
      expect(gateway.handshakeOutcome?.transport !== undefined).toBe(mode === 'OpenSSM');

      const line = (n: number): string => `line ${String(n).padStart(3, '0')}\r\n`;
      for (let n = 1; n <= 20; n++) await gateway.sendOutput(line(n));
      gateway.dropConnection();
      // Written while no client is attached: held by the agent's window and resent on resume.
      for (let n = 21; n <= 40; n++) await gateway.sendOutput(line(n));
      await waitFor(() => gateway.connected && gateway.opens.length === 2, 'the reconnection');
      host.stdin.write('after resume\r');
      for (let n = 41; n <= 60; n++) await gateway.sendOutput(line(n));
      await gateway.allAcknowledged();
      await waitFor(() => gateway.inputText() === 'after resume\r', 'keystrokes after resume');

      gateway.sendChannelClosed();
      expect(await exit).toBe(0);
      const numbers = [...host.stdout.text.matchAll(/line (\d{3})/g)].map((match) =>
        Number(match[1]),
      );
      expect(numbers).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
      expect(
        host.stdout.text.endsWith(`Exiting session with sessionId: ${gateway.sessionId}.\n\n`),
      ).toBe(true);

      // The drop really cut the stream: the agent had to resend what the client never acked.
      expect(gateway.channel!.stats.messagesResent).toBeGreaterThan(0);
      const resumes = ssm.callsTo('ResumeSession');
      expect(resumes.map((call) => call.body)).toEqual([{ SessionId: gateway.sessionId }]);
      expect(resumes[0]!.headers['authorization']).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKTEST\/\d{8}\/us-east-1\/ssm\/aws4_request/,
      );
      const [first, second] = gateway.opens;
      expect(second!.tokenValue).toBe('token-1');
      expect(second!.clientId).toBe(first!.clientId);
      expect(second!.requestId).not.toBe(first!.requestId);
      expect(second!.clientVersion).toBe(PLUGIN_VERSION);
      expect(gateway.paths[1]).toBe(gateway.paths[0]);
    });
  }

  it('says the session timed out when ResumeSession returns no token', async () => {
    const { gateway, ssm } = await setUp();
    ssm.handlers.set('ResumeSession', (body) => ({ SessionId: body['SessionId'] }));
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.dropConnection();
    expect(await exit).toBe(0);
    expect(host.stdout.text).toBe(
      `${started(gateway.sessionId)}Session: ${gateway.sessionId} timed out.\n`,
    );
    expect(host.terminal.events).toEqual(['raw', 'restore']);
  });

  it('gives up after the retries when the link cannot be resumed, and terminates the session', async () => {
    const { gateway, ssm } = await setUp();
    ssm.handlers.set('ResumeSession', () => ({
      error: 'DoesNotExistException',
      message: 'no such session',
    }));
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.dropConnection();
    expect(await exit).toBe(0);
    expect(ssm.callsTo('ResumeSession')).toHaveLength(FAST_RETRY.maxRetries + 1);
    expect(host.stdout.text).toContain(
      `Session ${gateway.sessionId} ended: could not reconnect the data channel: no such session`,
    );
    expect(ssm.callsTo('TerminateSession').map((call) => call.body)).toEqual([
      { SessionId: gateway.sessionId },
    ]);
    expect(host.terminal.events).toEqual(['raw', 'restore']);
  });

  it('gives up when the gateway is gone for good (every re-dial refused)', async () => {
    const { gateway, ssm } = await setUp();
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    await gateway.close();
    expect(await exit).toBe(0);
    expect(ssm.callsTo('ResumeSession')).toHaveLength(FAST_RETRY.maxRetries + 1);
    expect(host.stdout.text).toMatch(/ended: could not reconnect the data channel: .*ECONNREFUSED/);
  });

  it('ends on a channel_closed whose payload does not parse, with the plain message', async () => {
    const { gateway, ssm } = await setUp();
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.sendRaw(
      encodeAgentMessage(
        {
          messageType: MessageType.ChannelClosed,
          schemaVersion: 1,
          createdDate: Date.now(),
          sequenceNumber: 0,
          flags: MessageFlags.SynFin,
          messageId: '11111111-2222-4333-8444-555555555555',
          payloadType: PayloadType.None,
          payload: new TextEncoder().encode('not json'),
        },
        nodeSha256,
      ),
    );
    expect(await exit).toBe(0);
    expect(host.stdout.text).toMatch(
      /\n\nExiting session with sessionId: test-0a1b2c3d4e5f67890\.\n\n$/,
    );
  });

  it('stops re-dialling a gateway that refuses the resumed token', async () => {
    const { gateway, ssm } = await setUp();
    ssm.handlers.set('ResumeSession', (body) => ({
      SessionId: body['SessionId'],
      TokenValue: 'refused',
      StreamUrl: gateway.streamUrl,
    }));
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.dropConnection();
    expect(await exit).toBe(0);
    expect(gateway.opens.filter((open) => open.tokenValue === 'refused')).toHaveLength(
      FAST_RETRY.maxRetries + 1,
    );
    expect(host.stdout.text).toMatch(/ended: could not reconnect the data channel/);
  });

  it("ends like AWS's plugin on stdin EOF, after what was typed reached the agent", async () => {
    const { gateway, ssm } = await setUp();
    const { host, exit } = startPlugin(gateway, ssm, { interactive: false });
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    host.stdin.end('exit\n');
    expect(await exit).toBe(0);
    expect(gateway.inputText()).toBe('exit\n');
    expect(host.stdout.text).toBe(
      `${started(gateway.sessionId)}Cannot perform start session: EOF\n`,
    );
  });

  it('reports a data channel it cannot reach and terminates the session', async () => {
    const { gateway, ssm } = await setUp();
    const port = await closedPort();
    const { host, exit } = startPlugin(gateway, ssm, {
      streamUrl: `ws://127.0.0.1:${port}/v1/data-channel/${gateway.sessionId}`,
    });
    expect(await exit).toBe(0);
    expect(host.stdout.text).toMatch(
      new RegExp(`^${started(gateway.sessionId)}Cannot perform start session: .*ECONNREFUSED`),
    );
    expect(ssm.callsTo('TerminateSession')).toHaveLength(1);
    expect(host.terminal.events).toEqual([]);
  });

  it('reports a gateway that answers the upgrade with an HTTP error', async () => {
    const { gateway, ssm } = await setUp();
    const { host, exit } = startPlugin(gateway, ssm, {
      streamUrl: `${ssm.url.replace('http', 'ws')}/`,
    });
    expect(await exit).toBe(0);
    expect(host.stdout.text).toContain(
      'Cannot perform start session: the gateway refused the data channel: HTTP 400',
    );
  });

  it('fails the handshake it cannot honour (KMS) instead of hanging', async () => {
    const { gateway, ssm } = await setUp({ handshake: false });
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.connected, 'the client');
    await gateway.sendOutput('{"Challenge":"AAAA"}', PayloadType.EncChallengeRequest);
    expect(await exit).toBe(0);
    expect(host.stdout.text).toContain(
      'Cannot perform start session: KMS encryption is not supported',
    );
  });

  it('runs a Port session without a type (AWS-StartSSHSession) over stdin and stdout', async () => {
    const { gateway, ssm } = await setUp({ sessionType: 'Port' });
    const { host, exit } = startPlugin(gateway, ssm, { interactive: false });
    await waitFor(() => gateway.connected, 'the client');
    host.stdin.write('SSH-2.0-client\r\n');
    await waitFor(() => gateway.inputText() === 'SSH-2.0-client\r\n', 'stdin as Output');
    await gateway.sendOutput('SSH-2.0-server\r\n');
    await waitFor(() => host.stdout.text.includes('SSH-2.0-server\r\n'), 'Output on stdout');
    gateway.sendChannelClosed();
    expect(await exit).toBe(0);
    // A byte stream for ssh: no terminal mode, nothing but the session's own lines around it.
    expect(host.terminal.events).toEqual([]);
  });

  it('ignores text frames and frames that do not decode', async () => {
    const { gateway, ssm } = await setUp();
    const { host, exit } = startPlugin(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.sendRaw('{"not":"binary"}');
    gateway.sendRaw(new Uint8Array([1, 2, 3]));
    await gateway.sendOutput('still here');
    await gateway.allAcknowledged();
    gateway.sendChannelClosed();
    expect(await exit).toBe(0);
    expect(host.stdout.text).toContain('still here');
  });

  it('cuts large input into payloads of the negotiated size (1 KiB with AWS, 64 KiB with OpenSSM)', async () => {
    for (const offer of [
      undefined,
      { maxPayloadLength: 65536, windowSize: 256, cumulativeAcks: true },
    ]) {
      const { gateway, ssm } = await setUp(offer === undefined ? {} : { transportOffer: offer });
      const { host, exit } = startPlugin(gateway, ssm);
      await waitFor(() => gateway.sizes().length === 1, 'the session start');
      const input = Buffer.alloc(200_000, 'abcdefghij');
      host.stdin.write(input);
      await waitFor(() => gateway.inputText().length === input.length, 'all the input');
      expect(gateway.inputText()).toBe(input.toString('latin1'));
      const sizes = gateway.inputs
        .filter((message) => message.payloadType === PayloadType.Output)
        .map((message) => message.payload.length);
      expect(Math.max(...sizes)).toBe(offer === undefined ? 1024 : 65536);
      gateway.sendChannelClosed();
      expect(await exit).toBe(0);
    }
  });

  it('runs the session even when the profile for ResumeSession is unusable', async () => {
    const { gateway, ssm } = await setUp();
    const { host, exit } = startPlugin(gateway, ssm, { profile: 'no-such-profile' });
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.dropConnection();
    expect(await exit).toBe(0);
    expect(host.stdout.text).toMatch(
      /could not reconnect the data channel: the profile "no-such-profile"/,
    );
    expect(ssm.calls).toEqual([]);
  });
});

describe('session-manager-plugin argv outcomes', () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const host = createTestHost({ args, env });
    const code = await runPlugin(host);
    return { code, out: host.stdout.text };
  };

  it('prints install, version, unknown and invalid operation texts, all with status 0', async () => {
    expect(await run([])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/is installed/) as unknown,
    });
    expect(await run(['--version'])).toEqual({ code: 0, out: `${PLUGIN_VERSION}\n` });
    expect(await run(['x', 'y'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^\nUnknown operation x\. /) as unknown,
    });
    expect(await run(['{}', 'r', 'Nope'])).toEqual({ code: 0, out: 'Invalid Operation' });
    expect(await run(['{', 'r', 'StartSession'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(
        /^Cannot perform start session: the StartSession response is not JSON/,
      ) as unknown,
    });
  });

  it('reports a version above the smux keep-alive and env-var thresholds of §3.1 and §5.3', () => {
    const newer = (version: string, than: string): boolean => {
      const a = version.split('.').map(Number);
      const b = than.split('.').map(Number);
      for (let index = 0; index < 4; index++) {
        if (a[index] !== b[index]) return a[index]! > b[index]!;
      }
      return false;
    };
    expect(newer(PLUGIN_VERSION, '1.2.331.0')).toBe(true);
    expect(newer(PLUGIN_VERSION, '1.2.497.0')).toBe(true);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
