// The openssm-agent command line end to end against the fake gateway: register prints only the
// instance id, status reads the state, run stops on a stop signal, and every failure maps to its
// exit status with a `Code: message` line. Plus a smoke test of the built launcher.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_VERSION, createLogger, runCli, type CliEnvironment } from '../src/index.js';
import { ACTIVATION_CODE, ACTIVATION_ID, FakeGateway } from './fake-gateway.js';
import { waitFor } from './session-harness.js';

let dir: string;
let gateway: FakeGateway;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-cli-'));
  gateway = await FakeGateway.start();
});
afterEach(async () => {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(
  argv: string[],
  env: Record<string, string> = {},
  extra: Partial<CliEnvironment> = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    cwd: dir,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    onStopSignal: () => undefined,
    log: createLogger('error', () => undefined),
    ...extra,
  });
  return { code, stdout, stderr };
}

const registerArgs = (): string[] => [
  'register',
  '--server',
  gateway.url,
  '--activation-id',
  ACTIVATION_ID,
  '--state-dir',
  dir,
];

describe('openssm-agent', () => {
  it('prints usage and the version', async () => {
    expect(await cli([])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^Usage:/) as string,
    });
    expect(await cli(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/openssm-agent register/) as string,
    });
    expect(await cli(['status', '--help'])).toMatchObject({ code: 0 });
    expect(await cli(['--version'])).toEqual({
      code: 0,
      stdout: `${PACKAGE_VERSION}\n`,
      stderr: '',
    });
    expect(await cli(['frobnicate'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown command frobnicate/) as string,
    });
    expect(await cli(['run', '--server', 'x'])).toMatchObject({ code: 2 });
  });

  it('registers (code from the environment), prints only the id, then reports status', async () => {
    const registered = await cli(registerArgs(), {
      OPENSSM_AGENT_ACTIVATION_CODE: ACTIVATION_CODE,
    });
    expect(registered).toMatchObject({ code: 0, stderr: '' });
    expect(registered.stdout).toMatch(/^mi-[0-9a-f]{17}\n$/);
    const status = await cli(['status', '--state-dir', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Instance ID: ${registered.stdout.trim()}`);
    const again = await cli(registerArgs(), { OPENSSM_AGENT_ACTIVATION_CODE: ACTIVATION_CODE });
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^openssm-agent register: AlreadyRegistered: /) as string,
    });
  });

  it('shows the server’s refusal as Code: message', async () => {
    const refused = await cli([...registerArgs(), '--activation-code', 'x'.repeat(20)]);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'openssm-agent register: InvalidActivation: Activation does not exist.\n',
    });
  });

  it('refuses to run unregistered, and status says so', async () => {
    expect(await cli(['run', '--state-dir', dir])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/NotRegistered: no registration/) as string,
    });
    expect(await cli(['status', '--state-dir', dir])).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/Not registered/) as string,
    });
  });

  it('runs until a stop signal and exits 0; exits 78 when the node is refused', async () => {
    await cli(registerArgs(), { OPENSSM_AGENT_ACTIVATION_CODE: ACTIVATION_CODE });
    let stop: ((signal: string) => void) | undefined;
    const running = cli(
      ['run', '--state-dir', dir],
      {},
      { onStopSignal: (handler) => (stop = handler) },
    );
    await waitFor(
      () => gateway.controlSockets.length === 1 && stop !== undefined,
      'the control channel',
    );
    stop!('SIGTERM');
    expect((await running).code).toBe(0);

    gateway.nodes.clear();
    rmSync(join(dir, 'credentials.json'));
    expect(await cli(['run', '--state-dir', dir])).toMatchObject({ code: 78 });
  });
});

const launcher = join(import.meta.dirname, '..', 'bin', 'openssm-agent.js');
const built = join(import.meta.dirname, '..', 'dist', 'bin', 'openssm-agent.js');

describe.skipIf(!existsSync(built))('bin/openssm-agent.js (after a build)', () => {
  it('starts the built command line', () => {
    const result = spawnSync(
      process.execPath,
      [launcher, 'status', '--state-dir', join(dir, 'none')],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Not registered/);
  });
});
