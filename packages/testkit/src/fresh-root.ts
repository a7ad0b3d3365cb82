// A new machine for install tests, made in a second: a root filesystem holding only a shell,
// coreutils-style tools, curl, tar/gzip, sha256sum and useradd — each program copied with the
// shared libraries ldd names — and a minimal /etc. No Node, no compiler. Commands run in it
// with chroot inside a private mount namespace (unshare) that sees the host's /dev and a fresh
// /proc; the network is the host's, so the server on 127.0.0.1 is reachable. Needs root.

import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  writeFile,
  chmod,
  access,
  readdir,
  readFile,
  readlink,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** What the installer and a shell session need, and nothing else. */
export const FRESH_ROOT_PROGRAMS = [
  'sh',
  'bash',
  'cat',
  'mkdir',
  'rm',
  'mv',
  'ln',
  'readlink',
  'cp',
  'ls',
  'chmod',
  'touch',
  'id',
  'uname',
  'sleep',
  'mktemp',
  'dirname',
  'env',
  'grep',
  'sed',
  'sha256sum',
  'tar',
  'gzip',
  'curl',
  'useradd',
  'userdel',
] as const;

export interface FreshRoot {
  readonly dir: string;
  /** Runs `script` with /bin/sh inside the root; resolves with its output (rejects on failure). */
  run(
    script: string,
    env?: Readonly<Record<string, string>>,
  ): Promise<{ stdout: string; stderr: string }>;
  /** Processes running inside the root (theirs is its directory) whose command line matches. */
  processes(commandLine: RegExp): Promise<number[]>;
}

/** True when this process may chroot and unshare (tests skip, saying why, when not). */
export async function canBuildFreshRoot(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await execFileAsync('unshare', ['--mount', '--fork', 'true']);
    return true;
  } catch {
    return false;
  }
}

export interface FreshRootOptions {
  /** The programs to copy in (default FRESH_ROOT_PROGRAMS): a machine with wget, not curl, say. */
  readonly programs?: readonly string[];
}

export async function buildFreshRoot(
  dir: string,
  options: FreshRootOptions = {},
): Promise<FreshRoot> {
  for (const sub of [
    'bin',
    'etc',
    'tmp',
    'dev',
    'proc',
    'root',
    'home',
    'var/log',
    'var/lib',
    'run',
    'opt',
    'usr/local/bin',
  ]) {
    await mkdir(join(dir, sub), { recursive: true });
  }
  await chmod(join(dir, 'tmp'), 0o1777);
  const libraries = new Set<string>();
  for (const program of options.programs ?? FRESH_ROOT_PROGRAMS) {
    const { stdout } = await execFileAsync('sh', ['-c', `command -v ${program}`]);
    const path = stdout.trim();
    await copyInto(dir, path, join('bin', program));
    const ldd = await execFileAsync('ldd', [path]).catch(() => ({ stdout: '' }));
    for (const match of ldd.stdout.matchAll(/=>\s+(\/\S+)|^\s+(\/\S+ld-linux\S+)/gm)) {
      libraries.add(match[1] ?? match[2]!);
    }
  }
  for (const library of libraries) await copyInto(dir, library, library.slice(1));
  // The loader where binaries look for it, whatever the host's layout.
  for (const loader of ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1']) {
    if (await exists(loader)) await copyInto(dir, loader, loader.slice(1));
  }
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nusers:x:100:\n');
  await writeFile(join(dir, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o600 });
  await writeFile(join(dir, 'etc/gshadow'), 'root:*::\nusers:*::\n', { mode: 0o600 });
  await writeFile(join(dir, 'etc/login.defs'), 'UID_MIN 1000\nGID_MIN 1000\nUSERGROUPS_ENAB yes\n');
  await writeFile(
    join(dir, 'etc/os-release'),
    'ID=openssm-fresh\nVERSION_ID=1\nNAME="Fresh root"\n',
  );
  return {
    dir,
    run: (script, env = {}) =>
      execFileAsync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          '--fork',
          'sh',
          '-c',
          // The root sees the host's devices (a PTY for sessions) and its own /proc.
          'mount --rbind /dev "$1/dev" && mount -t proc proc "$1/proc" && exec chroot "$1" /bin/sh -c "$2"',
          'fresh-root',
          dir,
          script,
        ],
        {
          env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', HOME: '/root', ...env },
          timeout: 120_000,
        },
      ),
    processes: (commandLine) => processesRootedIn(dir, commandLine),
  };
}

async function processesRootedIn(dir: string, commandLine: RegExp): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const root = await readlink(`/proc/${entry}/root`);
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (root === dir && commandLine.test(cmdline)) found.push(Number(entry));
    } catch {
      // gone, or not ours to look at
    }
  }
  return found;
}

async function copyInto(root: string, from: string, relative: string): Promise<void> {
  const target = join(root, relative);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(from, target);
  await chmod(target, 0o755);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
