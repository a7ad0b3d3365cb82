// The `openssm` verbs in-process against a fake SSM endpoint (and, for connect, a fake gateway):
// tables, pagination, request bodies, `~.`, exit statuses, error lines, and `server`/`agent`
// handing over to sibling executables.

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PayloadType } from '@openssm/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOpenssm } from '../src/commands/run-openssm.js';
import { findExecutable } from '../src/commands/sibling.js';
import { createRetryPolicy } from '../src/session/retry-policy.js';
import { OPENSSM_VERSION, PLUGIN_VERSION } from '../src/version.js';
import { FakeGateway } from './helpers/fake-gateway.js';
import { FakeSsm } from './helpers/fake-ssm.js';
import { waitFor } from './helpers/poll.js';
import { createTestHost, type TestHost } from './helpers/test-host.js';

const FAST_RETRY = createRetryPolicy({ initialDelayMs: 5, maxDelayMs: 100, maxRetries: 2 });
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' };
const PING = 1_795_719_367; // 2026-11-26 18:56:07Z

const FLEET = [
  {
    InstanceId: 'mi-00000000000000001',
    Name: 'web-1',
    PingStatus: 'Online',
    PlatformName: 'Debian GNU/Linux',
    PlatformVersion: '12',
    PlatformType: 'Linux',
    IPAddress: '10.0.0.1',
    LastPingDateTime: PING,
  },
  { InstanceId: 'mi-00000000000000002', Name: 'dup', PingStatus: 'Online', PlatformType: 'Linux' },
  { InstanceId: 'mi-00000000000000003', Name: 'dup', PingStatus: 'ConnectionLost' },
];

let scratch: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'openssm-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake SSM that pages DescribeInstanceInformation two nodes at a time. */
async function startSsm(gateway?: FakeGateway): Promise<FakeSsm> {
  const ssm = await FakeSsm.start({
    DescribeInstanceInformation: (body) => {
      // No node of this fleet has tags: any tag filter matches nothing.
      const filters = (body['Filters'] ?? []) as unknown[];
      const matching = filters.length === 0 ? FLEET : [];
      const start = Number(body['NextToken'] ?? 0);
      const page = matching.slice(start, start + 2);
      return {
        InstanceInformationList: page,
        ...(start + 2 < matching.length ? { NextToken: String(start + 2) } : {}),
      };
    },
    StartSession: (body) =>
      gateway === undefined
        ? { error: 'TargetNotConnected', message: `${String(body['Target'])} is not connected.` }
        : { SessionId: gateway.sessionId, TokenValue: gateway.token, StreamUrl: gateway.streamUrl },
    TerminateSession: (body) => ({ SessionId: body['SessionId'] }),
    ResumeSession: (body) => {
      gateway?.acceptedTokens.add('token-resumed');
      return {
        SessionId: body['SessionId'],
        TokenValue: 'token-resumed',
        StreamUrl: gateway?.streamUrl,
      };
    },
    DescribeSessions: (body) => ({
      Sessions:
        body['State'] === 'History'
          ? [
              {
                SessionId: 'alice-0123456789abcdef0',
                Target: 'mi-00000000000000001',
                Status: 'Terminated',
                StartDate: PING,
                EndDate: PING + 60,
                DocumentName: 'SSM-SessionManagerRunShell',
                Owner: 'arn:openssm:iam::000000000000:user/alice',
              },
            ]
          : [
              {
                SessionId: 'bob-0123456789abcdef0',
                Target: 'mi-00000000000000002',
                Status: 'Connected',
                StartDate: PING,
                DocumentName: 'SSM-SessionManagerRunShell',
                Owner: 'arn:openssm:iam::000000000000:user/bob',
                Reason: 'debugging',
              },
            ],
    }),
  });
  cleanups.push(() => ssm.close());
  return ssm;
}

function openssm(
  args: readonly string[],
  options: { ssm?: FakeSsm; interactive?: boolean; env?: Record<string, string> } = {},
): { host: TestHost; exit: Promise<number> } {
  const host = createTestHost({
    args,
    env: {
      ...CREDENTIALS,
      ...(options.ssm === undefined ? {} : { OPENSSM_ENDPOINT: options.ssm.url }),
      ...options.env,
    },
    interactive: options.interactive ?? true,
    homeDir: scratch,
    programPath: join(scratch, 'bin', 'openssm'),
  });
  return { host, exit: runOpenssm(host, { retry: FAST_RETRY }) };
}

async function run(args: readonly string[], options: Parameters<typeof openssm>[1] = {}) {
  const { host, exit } = openssm(args, options);
  const code = await exit;
  return { code, out: host.stdout.text, err: host.stderr.text };
}

describe('openssm ls', () => {
  it('prints every page of managed nodes as a table', async () => {
    const ssm = await startSsm();
    const { code, out } = await run(['ls'], { ssm });
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'InstanceId            Name   PingStatus      Platform             IP        LastPing',
        'mi-00000000000000001  web-1  Online          Debian GNU/Linux 12  10.0.0.1  2026-11-26 18:56:07Z',
        'mi-00000000000000002  dup    Online          Linux                -         -',
        'mi-00000000000000003  dup    ConnectionLost  -                    -         -',
        '',
      ].join('\n'),
    );
    expect(ssm.callsTo('DescribeInstanceInformation').map((call) => call.body)).toEqual([
      { MaxResults: 50 },
      { MaxResults: 50, NextToken: '2' },
    ]);
  });

  it('says so when there are no nodes', async () => {
    const ssm = await startSsm();
    ssm.handlers.set('DescribeInstanceInformation', () => ({ InstanceInformationList: [] }));
    expect(await run(['ls'], { ssm })).toMatchObject({ code: 0, out: 'No managed nodes.\n' });
  });

  it('signs with the resolved region and honours --endpoint-url and --region anywhere', async () => {
    const ssm = await startSsm();
    const { code } = await run(['--region', 'eu-west-1', 'ls', '--endpoint-url', ssm.url], {
      env: {},
    });
    expect(code).toBe(0);
    expect(ssm.calls[0]!.headers['authorization']).toMatch(/\/eu-west-1\/ssm\/aws4_request/);
  });

  it('prints API errors as "openssm: <Code>: <message>" and exits 1', async () => {
    const ssm = await startSsm();
    ssm.handlers.set('DescribeInstanceInformation', () => ({
      error: 'com.amazonaws.ssm#AccessDeniedException',
      message: 'User alice is not authorized to perform ssm:DescribeInstanceInformation',
    }));
    expect(await run(['ls'], { ssm })).toMatchObject({
      code: 1,
      err: 'openssm: AccessDeniedException: User alice is not authorized to perform ssm:DescribeInstanceInformation\n',
    });
  });

  it('reports an endpoint that does not answer', async () => {
    const ssm = await startSsm();
    const url = ssm.url;
    await ssm.close();
    cleanups.pop();
    const { code, err } = await run(['ls', '--endpoint-url', url]);
    expect(code).toBe(1);
    expect(err).toMatch(/^openssm: ECONNREFUSED: /);
  });
});

describe('openssm sessions and terminate', () => {
  it('lists active sessions', async () => {
    const ssm = await startSsm();
    const { code, out } = await run(['sessions'], { ssm });
    expect(code).toBe(0);
    expect(out).toBe(
      'SessionId              Target                Status     Started               Document                    Owner                                   Reason\n' +
        'bob-0123456789abcdef0  mi-00000000000000002  Connected  2026-11-26 18:56:07Z  SSM-SessionManagerRunShell  arn:openssm:iam::000000000000:user/bob  debugging\n',
    );
    expect(ssm.calls[0]!.body).toMatchObject({ State: 'Active' });
  });

  it('lists ended sessions with --history', async () => {
    const ssm = await startSsm();
    const { code, out } = await run(['sessions', '--history'], { ssm });
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^SessionId\s+Target\s+Status\s+Started\s+Ended\s+Document/);
    expect(out).toContain('2026-11-26 18:56:07Z  2026-11-26 18:57:07Z');
    expect(ssm.calls[0]!.body).toMatchObject({ State: 'History' });
  });

  it('says so when there are none', async () => {
    const ssm = await startSsm();
    ssm.handlers.set('DescribeSessions', () => ({ Sessions: [] }));
    expect((await run(['sessions'], { ssm })).out).toBe('No active sessions.\n');
    expect((await run(['sessions', '--history'], { ssm })).out).toBe('No ended sessions.\n');
  });

  it('terminates a session', async () => {
    const ssm = await startSsm();
    expect(await run(['terminate', 'bob-0123456789abcdef0'], { ssm })).toMatchObject({
      code: 0,
      out: 'Session bob-0123456789abcdef0 terminated.\n',
    });
    expect(ssm.calls.map((call) => [call.operation, call.body])).toEqual([
      ['TerminateSession', { SessionId: 'bob-0123456789abcdef0' }],
    ]);
  });
});

describe('openssm usage', () => {
  it('prints the command list with --help or help (0) and without a command (2)', async () => {
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Usage: openssm <command>/) as unknown,
    });
    expect(await run(['help'])).toMatchObject({ code: 0 });
    expect(await run([])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/connect .* open a shell/) as unknown,
    });
  });

  it('prints the version', async () => {
    expect(await run(['--version'])).toMatchObject({
      code: 0,
      out: `openssm ${OPENSSM_VERSION}\n`,
    });
    const packageJson = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(OPENSSM_VERSION).toBe(packageJson.version);
  });

  it.each(['connect', 'ls', 'sessions', 'terminate'])('prints help for %s', async (verb) => {
    const { code, out } = await run([verb, '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^Usage: openssm ${verb}`));
    expect(out).toContain('--endpoint-url');
  });

  it.each([
    [['nope'], /unknown command "nope"/],
    [['ls', 'extra'], /ls takes no arguments/],
    [['connect'], /connect takes <target>/],
    [['terminate', 'a', 'b'], /terminate takes <session-id> only/],
    [['connect', 'x', '--reason'], /--reason/],
    [['ls', '--bogus'], /Unknown option '--bogus'/],
    [['ls', '--endpoint-url', 'ftp://x'], /must start with https:\/\/ or http:\/\//],
    [['ls', '--profile', 'missing'], /profile "missing"/],
  ])('exits 2 for %j', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});

describe('openssm connect', () => {
  async function connectSetUp() {
    const gateway = await FakeGateway.start({ customerMessage: 'welcome' });
    cleanups.push(() => gateway.close());
    const ssm = await startSsm(gateway);
    return { gateway, ssm };
  }

  it('resolves a name, starts the session with reason and document, and exits with the remote code', async () => {
    const { gateway, ssm } = await connectSetUp();
    const { host, exit } = openssm(
      [
        'connect',
        'web-1',
        '--reason',
        'debugging',
        '--document-name',
        'SSM-SessionManagerRunShell',
      ],
      { ssm },
    );
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    expect(gateway.handshakeOutcome?.clientVersion).toBe(PLUGIN_VERSION);
    host.stdin.write('exit 3\r');
    await waitFor(() => gateway.inputText() === 'exit 3\r', 'the keystrokes');
    await gateway.sendOutput('exit\r\n');
    await gateway.sendOutput('EXIT_CODE: 3', PayloadType.ExitCode);
    await gateway.allAcknowledged();
    gateway.sendChannelClosed();
    expect(await exit).toBe(3);
    expect(host.stderr.text).toBe('Connecting to mi-00000000000000001 (web-1)\n');
    expect(host.stdout.text).toBe(
      `\nStarting session with SessionId: ${gateway.sessionId}\nwelcome\nexit\r\n` +
        `\n\nExiting session with sessionId: ${gateway.sessionId}.\n\n`,
    );
    expect(ssm.callsTo('StartSession').map((call) => call.body)).toEqual([
      {
        Target: 'mi-00000000000000001',
        DocumentName: 'SSM-SessionManagerRunShell',
        Reason: 'debugging',
      },
    ]);
    expect(host.terminal.events).toEqual(['raw', 'restore']);
  });

  it('disconnects on ~. after a newline and terminates the session', async () => {
    const { gateway, ssm } = await connectSetUp();
    const { host, exit } = openssm(['connect', 'mi-00000000000000001'], { ssm });
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    host.stdin.write('echo ~.\r~');
    host.stdin.write('.ignored');
    expect(await exit).toBe(0);
    expect(gateway.inputText()).toBe('echo ~.\r');
    expect(ssm.callsTo('TerminateSession').map((call) => call.body)).toEqual([
      { SessionId: gateway.sessionId },
    ]);
    expect(host.stdout.text).toContain(`Disconnected; session ${gateway.sessionId} terminated.`);
    expect(host.terminal.events).toEqual(['raw', 'restore']);
    expect(ssm.callsTo('DescribeInstanceInformation')).toEqual([]);
  });

  it('sends Ctrl-D when piped input ends, and waits for the shell to finish', async () => {
    const { gateway, ssm } = await connectSetUp();
    const { host, exit } = openssm(['connect', 'mi-00000000000000001'], {
      ssm,
      interactive: false,
    });
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    host.stdin.end('uptime\n');
    await waitFor(() => gateway.inputText() === 'uptime\n\x04', 'the input and EOT');
    await gateway.sendOutput('up 1 day\n');
    gateway.sendChannelClosed();
    expect(await exit).toBe(0);
    expect(host.stdout.text).toContain('up 1 day\n');
    expect(host.terminal.events).toEqual([]);
  });

  it('resumes a dropped link by itself', async () => {
    const { gateway, ssm } = await connectSetUp();
    const { host, exit } = openssm(['connect', 'mi-00000000000000001'], { ssm });
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.dropConnection();
    await waitFor(() => gateway.connected && gateway.opens.length === 2, 'the reconnection');
    expect(gateway.opens[1]!.tokenValue).toBe('token-resumed');
    host.stdin.write('still here\r');
    await waitFor(() => gateway.inputText() === 'still here\r', 'input after resume');
    gateway.sendChannelClosed();
    expect(await exit).toBe(0);
  });

  it('exits 255 when the session cannot be resumed, after saying why', async () => {
    const { gateway, ssm } = await connectSetUp();
    ssm.handlers.set('ResumeSession', (body) => ({ SessionId: body['SessionId'] }));
    const { host, exit } = openssm(['connect', 'mi-00000000000000001'], { ssm });
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    gateway.dropConnection();
    expect(await exit).toBe(255);
    expect(host.stdout.text).toContain(`Session: ${gateway.sessionId} timed out.\n`);
  });

  it('exits 255 and terminates the session when the gateway never accepts it', async () => {
    const { gateway, ssm } = await connectSetUp();
    ssm.handlers.set('StartSession', () => ({
      SessionId: gateway.sessionId,
      TokenValue: 'refused-token',
      StreamUrl: gateway.streamUrl,
    }));
    ssm.handlers.set('ResumeSession', () => ({ error: 'DoesNotExistException', message: 'gone' }));
    const { host, exit } = openssm(['connect', 'mi-00000000000000001'], { ssm });
    expect(await exit).toBe(255);
    expect(host.stderr.text).toBe(
      `openssm: session ${gateway.sessionId}: could not reconnect the data channel: gone\n`,
    );
    expect(gateway.opens.map((open) => open.tokenValue)).toEqual(['refused-token']);
    expect(ssm.callsTo('TerminateSession')).toHaveLength(1);
  });

  it('lists the candidates and exits 2 when a name matches several nodes', async () => {
    const ssm = await startSsm();
    const { code, err } = await run(['connect', 'dup'], { ssm });
    expect(code).toBe(2);
    expect(err).toContain('openssm: 2 managed nodes match "dup"; connect to one by its id:');
    expect(err).toContain('mi-00000000000000003  dup   ConnectionLost');
    expect(ssm.callsTo('StartSession')).toEqual([]);
  });

  it('fails clearly when nothing matches, and reports StartSession errors', async () => {
    const ssm = await startSsm();
    expect(await run(['connect', 'nobody'], { ssm })).toMatchObject({
      code: 1,
      err: 'openssm: no managed node is named "nobody" (Name or Name tag)\n',
    });
    expect(await run(['connect', 'mi-00000000000000009'], { ssm })).toMatchObject({
      code: 1,
      err: 'openssm: TargetNotConnected: mi-00000000000000009 is not connected.\n',
    });
  });

  it('refuses a StartSession answer without a stream', async () => {
    const ssm = await startSsm();
    ssm.handlers.set('StartSession', () => ({ SessionId: 's' }));
    expect(await run(['connect', 'mi-00000000000000001'], { ssm })).toMatchObject({
      code: 1,
      err: 'openssm: StartSession returned no SessionId, StreamUrl or TokenValue\n',
    });
  });
});

describe('openssm server / agent', () => {
  function sibling(name: string, body: string): string {
    const directory = mkdtempSync(join(scratch, 'path-'));
    const path = join(directory, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return directory;
  }

  it('runs openssm-server from PATH with the remaining arguments and its exit status', async () => {
    const out = join(scratch, 'server-args');
    const directory = sibling('openssm-server', 'printf "%s|" "$@" > "$OUT"; exit 7');
    const { code } = await run(['--region', 'x', 'server', '--data-dir', 'd', '--help'], {
      env: { PATH: directory, OUT: out },
    });
    expect(code).toBe(7);
    expect(readFileSync(out, 'utf8')).toBe('--data-dir|d|--help|');
  });

  it('falls back to the directory openssm was started from (node_modules/.bin)', async () => {
    const out = join(scratch, 'agent-args');
    const directory = sibling('openssm-agent', 'printf "%s|" "$@" > "$OUT"');
    const host = createTestHost({
      args: ['agent', 'run'],
      env: { PATH: '/nonexistent', OUT: out },
      programPath: join(directory, 'openssm'),
    });
    expect(await runOpenssm(host)).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('run|');
  });

  it('forwards SIGTERM to the child and reports a death by signal as 128 + N', async () => {
    const ready = join(scratch, 'ready');
    const out = join(scratch, 'term');
    const directory = sibling(
      'openssm-server',
      `trap 'echo term > "$OUT"; kill -KILL $$' TERM; : > "$READY"; while :; do sleep 0.05; done`,
    );
    const { host, exit } = openssm(['server'], {
      env: { PATH: `${directory}:/bin:/usr/bin`, READY: ready, OUT: out },
    });
    await waitFor(() => existsSync(ready), 'the child to start');
    expect(host.signals.raise('SIGINT')).toBe(true); // ignored by us; the terminal sends it to both
    host.signals.raise('SIGTERM');
    expect(await exit).toBe(137);
    expect(readFileSync(out, 'utf8')).toBe('term\n');
    expect(host.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('exits 127 when the executable is nowhere', async () => {
    const { code, err } = await run(['agent', 'run'], { env: { PATH: '' } });
    expect(code).toBe(127);
    expect(err).toBe(`openssm: openssm-agent is neither on PATH nor in ${join(scratch, 'bin')}\n`);
  });

  it('skips files that are not executable and directories', () => {
    const directory = mkdtempSync(join(scratch, 'path-'));
    writeFileSync(join(directory, 'openssm-server'), '');
    expect(findExecutable('openssm-server', { PATH: directory }, '/nonexistent')).toBeUndefined();
    expect(findExecutable('path-x', { PATH: scratch }, scratch)).toBeUndefined();
  });
});
