// A machine booted with systemd as PID 1, for the installer's systemd path: systemd-nspawn boots
// this host's own /usr (read-only) on an empty, throwaway root (--volatile=yes), so the machine
// has systemd, a shell, curl and tar but no /etc, /opt or /var of ours. It shares the host's
// network (the test server on 127.0.0.1 is reachable) and stops at sysinit.target, so the
// host's services are not started in it. Commands run in it through nsenter. Needs root and
// systemd-nspawn (Debian: systemd-container).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { pollUntil } from './poll-until.js';

const execFileAsync = promisify(execFile);

export interface SystemdMachine {
  /** PID of the machine's systemd, as the host sees it. */
  readonly pid: number;
  /** Runs `script` with /bin/sh in the machine (all its namespaces); rejects on failure. */
  run(script: string): Promise<{ stdout: string; stderr: string }>;
  /** Powers the machine off (its root disappears with it). */
  stop(): Promise<void>;
}

/** Why a systemd machine cannot be booted here, or undefined when it can. */
export async function systemdMachineUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'booting a systemd machine needs root';
  try {
    await execFileAsync('systemd-nspawn', ['--version']);
  } catch {
    return 'systemd-nspawn is absent (apt-get install systemd-container)';
  }
  try {
    await access('/usr/lib/systemd/systemd');
  } catch {
    return 'this host has no systemd in /usr to boot';
  }
  return undefined;
}

/** Boots the machine with `shared` (a host directory) at /mnt/share; resolves once it is up. */
export async function bootSystemdMachine(shared: string): Promise<SystemdMachine> {
  const name = `openssm-test-${randomBytes(4).toString('hex')}`;
  const nspawn = spawn(
    'systemd-nspawn',
    [
      '--directory=/',
      '--volatile=yes',
      // Not registered with a host systemd or machined (there may be none): a plain process tree.
      '--keep-unit',
      '--register=no',
      `--machine=${name}`,
      '--console=pipe',
      `--bind=${shared}:/mnt/share`,
      '--boot',
      'systemd.firstboot=off',
      'systemd.unit=sysinit.target',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let printed = '';
  nspawn.stdout.on(
    'data',
    (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-8000)),
  );
  nspawn.stderr.on(
    'data',
    (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-8000)),
  );
  const exited = new Promise<void>((done) => nspawn.once('exit', () => done()));
  try {
    // nspawn's helper forks the machine's PID 1 and exits; PID 1 is then nspawn's own child.
    const pid = await pollUntil(
      async () => {
        for (const child of await children(nspawn.pid!)) {
          const comm = await readFile(`/proc/${child}/comm`, 'utf8').catch(() => '');
          if (comm.trim() === 'systemd') return child;
        }
        return undefined;
      },
      () => `the machine's systemd to start; nspawn printed:\n${printed}`,
      20_000,
      50,
    );
    const run = (script: string) =>
      execFileAsync('nsenter', ['-t', String(pid), '-a', '/bin/sh', '-c', script], {
        env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', HOME: '/root' },
        timeout: 120_000,
      });
    await pollUntil(
      async () => {
        const state = await run('systemctl is-system-running').then(
          (result) => result.stdout,
          (error: { stdout?: string }) => error.stdout ?? '',
        );
        return /^(running|degraded)$/m.test(state);
      },
      () => `the machine to finish booting; its console:\n${printed}`,
      30_000,
      100,
    );
    return { pid, run, stop: () => powerOff(nspawn, exited) };
  } catch (error) {
    await powerOff(nspawn, exited);
    throw error;
  }
}

async function children(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

async function powerOff(nspawn: ChildProcess, exited: Promise<void>): Promise<void> {
  if (nspawn.exitCode !== null || nspawn.signalCode !== null) return;
  // nspawn turns SIGTERM into an orderly poweroff of the machine; SIGKILL if that hangs.
  nspawn.kill('SIGTERM');
  const timer = setTimeout(() => nspawn.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
