// A private OpenSSH server on 127.0.0.1 for tests and benchmarks: its own host key, config and
// authorized key in a temporary directory, run in the foreground and stopped by stop(). Nothing
// of the machine's own sshd setup is used or touched.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pollUntil } from './poll-until.js';

const execFileAsync = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';

export interface PrivateSshd {
  readonly port: number;
  readonly user: string;
  /** The private key the server accepts. */
  readonly identityFile: string;
  readonly dir: string;
  /** ssh/scp options: this identity, no known-hosts checks or files, batch mode. */
  readonly clientOptions: readonly string[];
  stop(): Promise<void>;
}

/** True when sshd and ssh-keygen are installed (tests skip with a message otherwise). */
export async function sshdAvailable(): Promise<boolean> {
  try {
    await access(SSHD);
    await access('/usr/bin/ssh-keygen');
    await access('/usr/bin/ssh');
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  await new Promise((done) => probe.close(done));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

export async function startPrivateSshd(): Promise<PrivateSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'openssm-sshd-'));
  await chmod(dir, 0o700);
  const hostKey = join(dir, 'host_ed25519');
  const identityFile = join(dir, 'client_ed25519');
  await execFileAsync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await execFileAsync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
  const authorizedKeys = join(dir, 'authorized_keys');
  await execFileAsync('/bin/cp', [`${identityFile}.pub`, authorizedKeys]);
  await chmod(authorizedKeys, 0o600);
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // Privilege separation wants this directory when sshd runs as root.
  await execFileAsync('/bin/mkdir', ['-p', '/run/sshd']).catch(() => undefined);
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  await pollUntil(
    async () => {
      if (exited) throw new Error('sshd exited at start (check its config)');
      return (await canConnect(port)) || undefined;
    },
    'the private sshd to listen',
    10_000,
  );
  const user = userInfo().username;
  return {
    port,
    user,
    identityFile,
    dir,
    clientOptions: [
      '-F',
      '/dev/null',
      '-i',
      identityFile,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'LogLevel=ERROR',
    ],
    async stop() {
      if (!exited) {
        const gone = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
