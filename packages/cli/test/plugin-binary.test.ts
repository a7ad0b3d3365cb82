// The built session-manager-plugin executable as users run it: in a real PTY (raw mode while the
// session runs, the terminal restored after channel_closed and after SIGTERM), as a plain child
// process across a dropped link, and launched by Debian's `aws ssm start-session` itself.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN_VERSION } from '../src/version.js';
import { FakeGateway, type FakeGatewayOptions } from './helpers/fake-gateway.js';
import { FakeSsm } from './helpers/fake-ssm.js';
import { waitFor } from './helpers/poll.js';
import { createTestCa, hasOpenssl } from '@openssm/testkit';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PLUGIN = join(ROOT, 'packages', 'cli', 'bin', 'session-manager-plugin.js');
const BIN_DIR = join(ROOT, 'node_modules', '.bin');
const AWS_CLI = '/usr/bin/aws';

let home: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  // The binary runs dist/: build it (incremental, quick when nothing changed).
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/cli'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  home = mkdtempSync(join(tmpdir(), 'openssm-plugin-home-'));
}, 120_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An environment that reaches only the fakes: no user's ~/.aws, test credentials. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('AWS_')) env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'AKTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    ...extra,
  };
}

async function setUp(options: FakeGatewayOptions = {}) {
  const gateway = await FakeGateway.start(options);
  let resumes = 0;
  const ssm = await FakeSsm.start({
    StartSession: () => ({
      SessionId: gateway.sessionId,
      TokenValue: gateway.token,
      StreamUrl: gateway.streamUrl,
    }),
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

function responseJson(gateway: FakeGateway): string {
  return JSON.stringify({
    SessionId: gateway.sessionId,
    TokenValue: gateway.token,
    StreamUrl: gateway.streamUrl,
  });
}

/**
 * Runs the plugin from a shell in a PTY, with the terminal's settings printed before and after:
 * `stty -g` must read the same once the plugin is gone, however it ended.
 */
function startInPty(gateway: FakeGateway, ssm: FakeSsm): { pty: IPty; output: () => string } {
  const script =
    'printf "BEFORE:%s\\n" "$(stty -g)"; ' +
    'node "$PLUGIN" "$RESPONSE" us-east-1 StartSession "" \'{"Target":"mi-0123456789abcdef0"}\' "$ENDPOINT"; ' +
    'printf "RC:%s\\n" "$?"; printf "AFTER:%s\\n" "$(stty -g)"';
  const pty = spawnPty('/bin/sh', ['-c', script], {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    cwd: ROOT,
    env: childEnv({ PLUGIN, RESPONSE: responseJson(gateway), ENDPOINT: ssm.url }),
  });
  let text = '';
  pty.onData((data) => (text += data));
  cleanups.push(() => pty.kill('SIGKILL'));
  // The terminal's output processing (ONLCR stays on in raw mode) turns the remote \r\n into
  // \r\r\n, as with AWS's plugin: both look the same on screen.
  return { pty, output: () => text.replace(/\r+\n/g, '\n') };
}

function field(output: string, name: string): string | undefined {
  return new RegExp(`${name}:(.*)\\n`).exec(output)?.[1];
}

describe('session-manager-plugin binary', () => {
  it('prints the version', () => {
    expect(execFileSync(process.execPath, [PLUGIN, '--version'], { encoding: 'utf8' })).toBe(
      `${PLUGIN_VERSION}\n`,
    );
  });

  it('puts a real terminal in raw mode for the session and restores it after channel_closed', async () => {
    const { gateway, ssm } = await setUp({ customerMessage: 'hello from fake agent' });
    const { pty, output } = startInPty(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the first Size');
    expect(gateway.sizes()[0]).toEqual({ cols: 120, rows: 40 });
    const before = field(output(), 'BEFORE')!;
    expect(before).toMatch(/^[0-9a-f:]+$/);

    // Raw mode, seen from outside: the terminal's settings differ while the session runs.
    const ptsName = (pty as unknown as { ptsName?: string }).ptsName!;
    expect(ptsName).toMatch(/^\/dev\/pts\/\d+$/);
    const during = execFileSync('stty', ['-g', '-F', ptsName], { encoding: 'utf8' }).trim();
    expect(during).not.toBe(before);
    // Raw mode, seen by the agent: keys arrive without Enter, Ctrl-C as a byte, no local echo.
    pty.write('abc');
    await waitFor(() => gateway.inputText() === 'abc', 'keys without Enter');
    pty.write('\x03');
    await waitFor(() => gateway.inputText() === 'abc\x03', 'Ctrl-C as a byte');
    await gateway.sendOutput('<marker>');
    await waitFor(() => output().includes('<marker>'), 'the output');
    expect(output()).not.toContain('abc');

    pty.resize(100, 30);
    await waitFor(
      () => gateway.sizes().some((size) => size.cols === 100 && size.rows === 30),
      'the Size after SIGWINCH',
    );

    await gateway.sendOutput('remote output\r\n');
    await gateway.allAcknowledged();
    gateway.sendChannelClosed();
    await waitFor(() => field(output(), 'AFTER'), 'the plugin to exit');
    const text = output();
    expect(text).toContain(
      `\nStarting session with SessionId: ${gateway.sessionId}\nhello from fake agent\n<marker>remote output\n`,
    );
    expect(text).toContain(`\n\nExiting session with sessionId: ${gateway.sessionId}.\n\nRC:0\n`);
    expect(field(text, 'AFTER')).toBe(before);
  });

  it('restores the terminal when killed with SIGTERM mid-session', async () => {
    const { gateway, ssm } = await setUp();
    const { pty, output } = startInPty(gateway, ssm);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    const before = field(output(), 'BEFORE')!;
    const pid = Number(
      execFileSync('pgrep', ['-P', String(pty.pid), '-f', 'session-manager-plugin'], {
        encoding: 'utf8',
      }).trim(),
    );
    process.kill(pid, 'SIGTERM');
    await waitFor(() => field(output(), 'AFTER'), 'the plugin to die');
    expect(field(output(), 'RC')).toBe('143');
    expect(field(output(), 'AFTER')).toBe(before);
  });

  it('resumes a dropped link as a child process, with the response passed in the environment', async () => {
    const { gateway, ssm } = await setUp();
    const child = spawn(
      process.execPath,
      [
        PLUGIN,
        'AWS_SSM_START_SESSION_RESPONSE_TEST',
        'us-east-1',
        'StartSession',
        '',
        '{}',
        ssm.url,
      ],
      {
        env: childEnv({ AWS_SSM_START_SESSION_RESPONSE_TEST: responseJson(gateway) }),
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const out = collect(child);
    await waitFor(() => gateway.sizes().length === 1, 'the session start');
    expect(gateway.sizes()[0]).toEqual({ cols: 300, rows: 100 });
    for (let n = 1; n <= 10; n++) await gateway.sendOutput(`line ${n}\n`);
    gateway.dropConnection();
    for (let n = 11; n <= 20; n++) await gateway.sendOutput(`line ${n}\n`);
    await waitFor(() => gateway.connected && gateway.opens.length === 2, 'the reconnection');
    child.stdin.write('typed\n');
    await waitFor(() => gateway.inputText() === 'typed\n', 'input after resume');
    await gateway.allAcknowledged();
    gateway.sendChannelClosed('done');
    expect(await exited(child)).toBe(0);
    const numbers = [...out().matchAll(/line (\d+)/g)].map((match) => Number(match[1]));
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(out()).toMatch(new RegExp(`\n\nSessionId: ${gateway.sessionId} : done\n\n$`));
    expect(ssm.callsTo('ResumeSession')).toHaveLength(1);
    expect(gateway.opens[1]!.clientId).toBe(gateway.opens[0]!.clientId);
  });

  it.skipIf(!hasOpenssl)('trusts NODE_EXTRA_CA_CERTS for a wss:// data channel', async () => {
    const ca = createTestCa();
    cleanups.push(() => ca.dispose());
    const gateway = await FakeGateway.start({ tls: ca.tls });
    cleanups.push(() => gateway.close());
    const child = spawn(
      process.execPath,
      [PLUGIN, responseJson(gateway), 'us-east-1', 'StartSession', '', '{}', 'https://127.0.0.1:1'],
      { env: childEnv({ NODE_EXTRA_CA_CERTS: ca.caFile }), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out = collect(child);
    await waitFor(() => gateway.sizes().length === 1, 'the session over wss');
    gateway.sendChannelClosed();
    expect(await exited(child)).toBe(0);
    expect(out()).toContain(`Exiting session with sessionId: ${gateway.sessionId}.`);
  });

  it.skipIf(!existsSync(AWS_CLI))(
    'is found and run by `aws ssm start-session` (Debian aws-cli 2.9.19)',
    async () => {
      const { gateway, ssm } = await setUp({ customerMessage: 'via the aws CLI' });
      const child = spawn(
        AWS_CLI,
        ['ssm', 'start-session', '--target', 'mi-0123456789abcdef0', '--endpoint-url', ssm.url],
        {
          env: childEnv({ PATH: `${BIN_DIR}:${process.env['PATH'] ?? ''}` }),
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      const out = collect(child);
      await waitFor(() => gateway.sizes().length === 1, 'the session start', 15_000);
      child.stdin.write('uptime\n');
      await waitFor(() => gateway.inputText() === 'uptime\n', 'the command');
      await gateway.sendOutput(' 12:00:00 up 1 day\n');
      await gateway.allAcknowledged();
      gateway.sendChannelClosed();
      expect(await exited(child)).toBe(0);
      expect(out()).toBe(
        `\nStarting session with SessionId: ${gateway.sessionId}\nvia the aws CLI\n 12:00:00 up 1 day\n` +
          `\n\nExiting session with sessionId: ${gateway.sessionId}.\n\n`,
      );
      expect(ssm.callsTo('StartSession').map((call) => call.body)).toEqual([
        { Target: 'mi-0123456789abcdef0' },
      ]);
      expect(gateway.opens[0]!.clientVersion).toBe(PLUGIN_VERSION);
    },
    20_000,
  );
});

function collect(child: ChildProcess): () => string {
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr!.resume();
  cleanups.push(() => void child.kill('SIGKILL'));
  return () => Buffer.concat(chunks).toString('utf8');
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
