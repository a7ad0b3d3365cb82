// The install command on a new machine (issue 9): a root filesystem with a shell, curl and tar
// but no Node and no compiler runs the cloud-init user data `openssm activation create --fleet`
// printed. The agent is installed from the server's bundle, registered with the activation's
// name and tags, started (without systemd: the installer's own supervisor) and serves a shell
// session; running the installer again changes nothing; --uninstall deregisters the node and
// leaves the machine as it was. Under systemd (a machine booted by systemd-nspawn): the installer
// writes a unit systemd-analyze accepts, enables and starts it; the agent's sessions inherit no
// confinement from it; systemd restarts a killed agent but not one the server refused (78);
// uninstall removes the unit.

import { execFile } from 'node:child_process';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateActivationCommand,
  DeregisterManagedInstanceCommand,
  DescribeInstanceInformationCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  adminSsmClient,
  bootSystemdMachine,
  operatorEnvironment,
  buildFreshRoot,
  canBuildFreshRoot,
  FRESH_ROOT_PROGRAMS,
  pollUntil,
  runShellScriptOn,
  startPipedSession,
  startTestServer,
  systemdMachineUnavailable,
  type FreshRoot,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { parse as parseYaml } from 'yaml';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const canRun = await canBuildFreshRoot();
const noSystemd = canRun ? await systemdMachineUnavailable() : 'needs root';
if (canRun && noSystemd !== undefined) console.warn(`systemd install test skipped: ${noSystemd}`);

let workDir: string;
let server: TestServer;
let machine: FreshRoot;
let ssm: SSMClient;

beforeAll(async () => {
  if (!canRun) return;
  workDir = await mkdtemp(join(tmpdir(), 'openssm-fresh-'));
  const bundles = join(workDir, 'bundles');
  await execFileAsync('node', [join(ROOT, 'scripts/build-agent-bundle.mjs'), '--out', bundles]);
  server = await startTestServer({
    extraArgs: ['--tls-self-signed', '--agent-bundle-dir', bundles],
  });
  ssm = adminSsmClient(server);
  machine = await buildFreshRoot(join(workDir, 'machine'));
}, 120_000);

afterAll(async () => {
  if (!canRun) return;
  // A failed run may leave the agent running in the machine: stop it before removing it.
  for (const file of ['agent.pid', 'supervisor.pid']) {
    const pid = Number(
      await readFile(join(machine.dir, 'run/openssm-agent', file), 'utf8').catch(() => ''),
    );
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  ssm?.destroy();
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
});

/** Every path under the machine's root (directories marked with a slash), /tmp and /proc aside. */
async function tree(dir: string, prefix = ''): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(join(dir, prefix))) {
    const path = `${prefix}/${entry}`;
    if (path === '/proc' || path === '/dev' || path === '/tmp') continue;
    if ((await lstat(join(dir, path))).isDirectory()) {
      paths.push(`${path}/`, ...(await tree(dir, path)));
    } else paths.push(path);
  }
  return paths.sort();
}

async function nodesTagged(value: string) {
  const listed = await ssm.send(
    new DescribeInstanceInformationCommand({ Filters: [{ Key: 'tag:Fleet', Values: [value] }] }),
  );
  return listed.InstanceInformationList ?? [];
}

describe.skipIf(!canRun)('installing on a fresh machine', () => {
  it('installs, registers, starts and serves a session; re-running is harmless; update keeps the node; uninstall leaves nothing', async () => {
    onTestFailed(async () => {
      const log = await readFile(join(machine.dir, 'var/log/openssm-agent.log'), 'utf8').catch(
        () => '(no log)',
      );
      process.stderr.write(`agent log on the machine:\n${log.slice(-4000)}\n`);
    });
    const noToolchain = await machine.run(
      'for p in node nodejs npm cc gcc g++ make; do command -v $p && exit 1; done; echo clean',
    );
    expect(noToolchain.stdout.trim()).toBe('clean');
    const before = await tree(machine.dir);

    // The operator's side: a fleet activation and its user data, from the CLI.
    const { stdout: userDataText } = await execFileAsync(
      join(ROOT, 'node_modules/.bin/openssm'),
      [
        'activation',
        'create',
        '--fleet',
        '--name',
        'fresh-node',
        '--tags',
        'Fleet=fresh',
        '--limit',
        '2',
      ],
      {
        env: {
          ...operatorEnvironment(server, workDir),
          AWS_CA_BUNDLE: server.server.selfSignedCa!.path,
        },
      },
    );
    const userData = parseYaml(userDataText) as {
      write_files: { path: string; content: string }[];
      runcmd: string[][];
    };
    // cloud-init on first boot: write the files, then run the command as root.
    const bootstrap = async () => {
      for (const file of userData.write_files) {
        await mkdir(join(machine.dir, dirname(file.path)), { recursive: true });
        await writeFile(join(machine.dir, file.path), file.content);
      }
      return machine.run(userData.runcmd[0]![2]!);
    };
    const first = await bootstrap();
    expect(first.stderr).toMatch(/agent \d+\.\d+\.\d+ installed in \/opt\/openssm-agent/);
    expect(first.stderr).toMatch(/registered as mi-[0-9a-f]{17}/);

    const [node] = await pollUntil(async () => {
      const nodes = await nodesTagged('fresh');
      // Online comes with the control channel; the platform with the first heartbeat after it.
      return nodes.length === 1 && nodes[0]!.PingStatus === 'Online' && nodes[0]!.PlatformName
        ? nodes
        : undefined;
    }, 'the installed agent to come online and report its platform');
    const instanceId = node!.InstanceId!;
    expect(node!.Name).toBe('fresh-node');
    expect(node!.PlatformName).toBe('Fresh root');

    const session = startPipedSession(server, instanceId, {
      AWS_CA_BUNDLE: server.server.selfSignedCa!.path,
    });
    try {
      session.type('echo fresh-$((6*7)) as $(id -un)');
      // (a prompt may share the line: the line was typed before the shell printed one)
      await session.waitFor(/fresh-42 as ssm-user\r?$/m, 'the shell on the fresh machine');
      session.type('exit');
      expect(await session.exited).toBe(0);
    } finally {
      await session.stop();
    }

    expect(await machine.processes(/openssm-agent\.mjs/)).toHaveLength(1);
    // On PATH through the installer's link in /usr/local/bin.
    const status = await machine.run('openssm-agent status');
    expect(status.stdout).toContain(`Instance ID: ${instanceId}`);
    expect(status.stdout).toContain(`Server: ${server.url}`);
    expect(status.stdout).toMatch(/^Version: \d+\.\d+\.\d+$/m);
    expect(status.stdout).toMatch(
      /^Agent: running \(pid \d+, version [\d.]+\), connected to the server since /m,
    );
    // The operator CLI's spelling, `openssm agent …`, through the bundle's own `openssm`.
    const spelled = (await machine.run('openssm agent status')).stdout;
    expect(spelled).toContain(`Instance ID: ${instanceId}`);
    expect(spelled).toContain(/^Agent: running .*$/m.exec(status.stdout)![0]);

    // Again: nothing to download, the same registration, the agent restarted and online.
    const installed = await tree(machine.dir);
    const second = await bootstrap();
    expect(second.stderr).toMatch(/is installed already/);
    // Its own links on PATH are its own: kept, not reported as someone else's.
    expect(second.stderr).not.toContain('left /usr/local/bin');
    expect(second.stderr).toContain(`registered already as ${instanceId}`);
    expect(await nodesTagged('fresh')).toHaveLength(1);
    await pollUntil(
      () => server.server.services.connections.isConnected(instanceId),
      'the agent to reconnect after the re-run',
    );
    // (the running agent's atomic writes pass through a .tmp file a listing may catch)
    expect(
      (await tree(machine.dir)).filter(
        (path) => !installed.includes(path) && !/\.[0-9a-f]+\.tmp$/.test(path),
      ),
    ).toEqual([]);
    // The old agent was stopped, not left beside the new one.
    expect(await machine.processes(/openssm-agent\.mjs/)).toHaveLength(1);

    // The server starts advertising a newer agent: `openssm-agent update` verifies and swaps the
    // bundle, the supervisor restarts the agent from it, and the node keeps its identity.
    const [major, minor, patch] = (
      JSON.parse(await readFile(join(ROOT, 'packages/agent/package.json'), 'utf8')) as {
        version: string;
      }
    ).version
      .split('.')
      .map(Number);
    const next = `${major}.${minor}.${patch! + 1}`;
    await execFileAsync('node', [
      join(ROOT, 'scripts/build-agent-bundle.mjs'),
      '--out',
      join(workDir, 'bundles'),
      '--version',
      next,
    ]);
    const updated = await machine.run('/opt/openssm-agent/bin/openssm-agent update');
    expect(updated.stdout.trim()).toBe(`updated ${major}.${minor}.${patch} -> ${next}`);
    await pollUntil(
      async () =>
        (await machine.run('/opt/openssm-agent/bin/openssm-agent status')).stdout.includes(
          `Agent: running (pid`,
        ) &&
        (await machine.run('/opt/openssm-agent/bin/openssm-agent status')).stdout.includes(
          `version ${next}), connected to the server`,
        ),
      'the updated agent to run and connect',
      30_000,
      250,
    );
    // The same node, now reporting the version the server advertises.
    await pollUntil(async () => {
      const nodes = await nodesTagged('fresh');
      return (
        nodes.length === 1 &&
        nodes[0]!.InstanceId === instanceId &&
        nodes[0]!.AgentVersion === `${next}.0` &&
        nodes[0]!.IsLatestVersion === true
      );
    }, 'the node to report the advertised version');

    const pids = await Promise.all(
      ['agent.pid', 'supervisor.pid'].map(async (file) =>
        Number(await readFile(join(machine.dir, 'run/openssm-agent', file), 'utf8')),
      ),
    );
    const uninstall = await machine.run(
      `curl -fsSL --cacert /etc/openssm-agent/server-ca.pem ${server.url}/install.sh | sh -s -- --uninstall`,
    );
    expect(uninstall.stderr).toContain('uninstalled');
    expect(await nodesTagged('fresh')).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(await machine.processes(/openssm-agent\.mjs/)).toEqual([]);
    // Back to how it was, but for what useradd/userdel leave on any machine: the backups of the
    // files they edit and their lock file.
    const after = (await tree(machine.dir)).filter(
      (path) => !/^\/etc\/([a-z]+-|\.pwd\.lock)$/.test(path),
    );
    expect(after).toEqual(before);
    expect(await readFile(join(machine.dir, 'etc/passwd'), 'utf8')).not.toContain('ssm-user');
  }, 180_000);
});

describe.skipIf(!canRun)('installing on a machine without curl', () => {
  it('downloads the installer and the bundle with wget', async () => {
    const wgetMachine = await buildFreshRoot(join(workDir, 'wget-machine'), {
      programs: FRESH_ROOT_PROGRAMS.map((program) => (program === 'curl' ? 'wget' : program)),
    });
    await copyFile(
      server.server.selfSignedCa!.path,
      join(wgetMachine.dir, 'etc/openssm-server-ca.pem'),
    );
    expect((await wgetMachine.run('command -v curl || echo no curl')).stdout).toBe('no curl\n');
    const installer = `wget -qO- --ca-certificate=/etc/openssm-server-ca.pem ${server.url}/install.sh | sh -s --`;
    const activation = await ssm.send(new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole' }));
    const installed = await wgetMachine.run(
      `${installer} --activation-code ${activation.ActivationCode!} --activation-id ${activation.ActivationId!} --ca-file /etc/openssm-server-ca.pem`,
    );
    expect(installed.stderr).toMatch(/agent \d+\.\d+\.\d+ installed in \/opt\/openssm-agent/);
    const instanceId = /registered as (mi-[0-9a-f]{17})/.exec(installed.stderr)![1]!;
    try {
      await pollUntil(
        () => server.server.services.connections.isConnected(instanceId),
        'the agent installed with wget to connect',
      );
    } finally {
      const uninstalled = await wgetMachine.run(`${installer} --uninstall`);
      expect(uninstalled.stderr).toContain('uninstalled');
    }
    expect(server.server.services.connections.isConnected(instanceId)).toBe(false);
  }, 60_000);
});

describe.skipIf(!canRun || noSystemd !== undefined)(
  'installing on a machine run by systemd',
  () => {
    it('writes a unit systemd accepts, confines no session, restarts a killed agent but not a refused one, and uninstalls', async () => {
      const shared = join(workDir, 'systemd-share');
      await mkdir(shared);
      await copyFile(server.server.selfSignedCa!.path, join(shared, 'server-ca.pem'));
      const machine = await bootSystemdMachine(shared);
      const show = async (property: string) =>
        (await machine.run(`systemctl show -P ${property} openssm-agent.service`)).stdout.trim();
      onTestFailed(async () => {
        const journal = await machine
          .run('journalctl -u openssm-agent.service --no-pager | tail -n 40')
          .catch(() => ({ stdout: '(no journal)' }));
        process.stderr.write(`the unit's journal:\n${journal.stdout}\n`);
      });
      try {
        const activation = await ssm.send(
          new CreateActivationCommand({
            IamRole: 'OpenSSMNodeRole',
            Tags: [{ Key: 'Fleet', Value: 'systemd' }],
          }),
        );
        const installer = `curl -fsSL --cacert /mnt/share/server-ca.pem ${server.url}/install.sh | sh -s --`;
        const installed = await machine.run(
          `${installer} --activation-code ${activation.ActivationCode!} --activation-id ${activation.ActivationId!}`,
        );
        expect(installed.stderr).toContain('agent started (systemd)');
        // This machine's /usr is read-only (the host's): the installer goes on without the links.
        expect(installed.stderr).toContain('left /usr/local/bin/openssm-agent alone');
        const instanceId = /registered as (mi-[0-9a-f]{17})/.exec(installed.stderr)![1]!;
        expect((await machine.run('systemctl is-enabled openssm-agent.service')).stdout).toBe(
          'enabled\n',
        );
        // The unit as installed, checked by the systemd that runs it: no unknown keys, bad values
        // or missing programs (each would be a warning here).
        const verified = await machine.run('systemd-analyze verify --man=no openssm-agent.service');
        expect(verified.stderr + verified.stdout).toBe('');
        await pollUntil(
          () => server.server.services.connections.isConnected(instanceId),
          'the agent started by systemd to connect',
        );

        // A command's processes carry exactly the machine's own confinement (PID 1's), nothing
        // the unit added: no no_new_privs (sudo works), no extra seccomp filter, the
        // same capability bounding set, the machine's own mounts (no ProtectSystem, ProtectHome or PrivateTmp).
        const invocation = await runShellScriptOn(ssm, instanceId, [
          "grep -E '^(NoNewPrivs|Seccomp_filters|CapBnd):' /proc/self/status",
          'readlink /proc/self/ns/mnt',
          "grep -E '^(NoNewPrivs|Seccomp_filters|CapBnd):' /proc/1/status",
          'readlink /proc/1/ns/mnt',
        ]);
        const lines = invocation.StandardOutputContent!.trim().split('\n');
        expect(lines).toHaveLength(8);
        expect(lines.slice(0, 4)).toEqual(lines.slice(4));
        expect(lines).toContain('NoNewPrivs:\t0');

        const session = startPipedSession(server, instanceId, {
          AWS_CA_BUNDLE: server.server.selfSignedCa!.path,
        });
        try {
          session.type('echo unit-$((6*7)) as $(id -un)');
          await session.waitFor(
            /unit-42 as ssm-user\r?$/m,
            'the shell of the agent systemd started',
          );
          session.type('exit');
          expect(await session.exited).toBe(0);
        } finally {
          await session.stop();
        }

        // Restart=always: a killed agent comes back (RestartSec=5) and reconnects.
        const firstPid = await show('MainPID');
        await machine.run('systemctl kill --signal=KILL openssm-agent.service');
        await pollUntil(
          async () => {
            const pid = await show('MainPID');
            return (
              pid !== '0' &&
              pid !== firstPid &&
              server.server.services.connections.isConnected(instanceId)
            );
          },
          'systemd to restart the killed agent and the agent to reconnect',
          30_000,
          250,
        );

        // Refused by the server (deregistered): the agent exits 78 and systemd leaves it stopped —
        // failed, not waiting to restart.
        await ssm.send(new DeregisterManagedInstanceCommand({ InstanceId: instanceId }));
        await pollUntil(
          async () =>
            (await show('ExecMainStatus')) === '78' && (await show('SubState')) === 'failed',
          'the refused agent to stop for good',
          30_000,
          250,
        );

        const uninstalled = await machine.run(`${installer} --uninstall`);
        expect(uninstalled.stderr).toContain('uninstalled');
        const left = await machine.run(
          'systemctl list-unit-files --no-legend openssm-agent.service; ls -d /etc/systemd/system/openssm-agent.service /opt/openssm-agent /etc/openssm-agent /var/lib/openssm-agent 2>/dev/null; true',
        );
        expect(left.stdout).toBe('');
      } finally {
        await machine.stop();
      }
    }, 120_000);
  },
);
