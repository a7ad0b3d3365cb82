// Starts a program without a terminal so that it holds no file descriptor but 0, 1 and 2.
// node-pty opens every PTY master without FD_CLOEXEC in the agent (1.2 only closes them in its
// own children), so a process started with child_process would inherit the masters of the
// sessions running and could read and type into them, even as another RunAs user. Node cannot
// set FD_CLOEXEC itself, so we close the leaks in the child: the spawner runs a tiny shell that
// closes every descriptor above 2 and then `exec`s the real program with its argv passed as
// positional parameters (never interpolated into the script).
//
// The shell runs as the agent's user and drops to the session user only after closing (setpriv),
// so no process of the session user ever holds another session's terminal, not even for the
// milliseconds before the loop ends (a same-uid process could open /proc/PID/fd/N then).

import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * For each descriptor the shell itself lists in /proc/self/fd (a glob, so /proc/self is the
 * shell, not a child), skip 0-2 and close it; the one the glob read the directory with is
 * already closed again, and closing a closed descriptor is a no-op. `$n` is checked to be
 * digits before it reaches `eval`. Then the shell is replaced by the program: same pid, same
 * process group and session, exit code and signals straight from the program.
 */
export const CLOSE_FDS_SCRIPT = [
  'for f in /proc/self/fd/*; do',
  ' n=${f##*/};',
  ' case $n in ""|*[!0-9]*) continue;; esac;',
  ' [ "$n" -gt 2 ] && eval "exec $n>&-";',
  'done;',
  'exec "$@"',
].join('');

/** $0 of the wrapper: what its own error messages start with. */
const WRAPPER_NAME = 'openssm-session';

/**
 * Shells to run the wrapper with, in order of preference. POSIX only promises redirections of
 * descriptors 0-9, and dash (Debian's /bin/sh) refuses `exec 12>&-`; Node's own descriptors
 * (and so the leaked masters) are far above 9, so the shell must handle any number. bash and
 * BusyBox ash do.
 */
const CANDIDATE_SHELLS: readonly (readonly string[])[] = [
  ['/bin/sh'],
  ['/bin/bash'],
  ['/usr/bin/bash'],
  ['/bin/busybox', 'sh'],
];

/** Where util-linux's setpriv may be; it switches uid, gid and groups (initgroups) and execs. */
const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv'];

/** Opens and closes a two-digit descriptor and checks it is gone. */
const PROBE_SCRIPT = 'exec 19</dev/null && exec 19<&- && [ ! -e /proc/self/fd/19 ]';
const PROBE_TIMEOUT_MS = 5000;

let probed: readonly string[] | null | undefined;

/** The shell (argv prefix) that can close any descriptor, found once per process; null if none. */
export function findFdClosingShell(
  candidates: readonly (readonly string[])[] = CANDIDATE_SHELLS,
): readonly string[] | null {
  if (candidates === CANDIDATE_SHELLS && probed !== undefined) return probed;
  let found: readonly string[] | null = null;
  for (const candidate of candidates) {
    const [file, ...prefix] = candidate;
    if (file === undefined) continue;
    try {
      execFileSync(file, [...prefix, '-c', PROBE_SCRIPT], {
        stdio: 'ignore',
        timeout: PROBE_TIMEOUT_MS,
        env: {},
      });
      found = candidate;
      break;
    } catch {
      // Missing, or cannot close a descriptor above 9: try the next one.
    }
  }
  if (candidates === CANDIDATE_SHELLS) probed = found;
  return found;
}

/** The user a wrapped program should end up as. */
export interface SwitchUser {
  readonly uid: number;
  readonly gid: number;
}

/**
 * How to spawn the wrapped program: `file`/`args`, plus `uid`/`gid` for the spawner when the
 * wrapper cannot switch users itself (no setpriv here); the wrapper then starts as the session
 * user, as libuv switches before exec.
 */
export interface WrappedLaunch {
  readonly file: string;
  readonly args: string[];
  readonly spawnAs?: SwitchUser;
}

let setprivPath: string | null | undefined;

/** util-linux's setpriv, found once per process; null where it is missing (BusyBox systems). */
export function findSetpriv(candidates: readonly string[] = SETPRIV_CANDIDATES): string | null {
  if (candidates === SETPRIV_CANDIDATES && setprivPath !== undefined) return setprivPath;
  const found =
    candidates.find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }) ?? null;
  if (candidates === SETPRIV_CANDIDATES) setprivPath = found;
  return found;
}

/**
 * The launch that runs `file args…` with only descriptors 0-2 inherited, as `user` when given
 * (with that user's supplementary groups where setpriv does the switch). Throws when no shell
 * on this system can close descriptors above 9: a session must not start with another session's
 * terminal in its hands.
 */
export function closingInheritedFds(
  file: string,
  args: readonly string[],
  user?: SwitchUser,
): WrappedLaunch {
  const setpriv = user === undefined ? null : findSetpriv();
  if (user !== undefined && setpriv !== null) {
    const switched = [
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--init-groups',
      '--',
      file,
      ...args,
    ];
    return closingInheritedFds(setpriv, switched);
  }
  const shell = findFdClosingShell();
  if (shell === null) {
    throw new Error(
      'no shell here can close inherited file descriptors above 9 (install bash or busybox)',
    );
  }
  const [shellFile, ...prefix] = shell as [string, ...string[]];
  return {
    file: shellFile,
    args: [...prefix, '-c', CLOSE_FDS_SCRIPT, WRAPPER_NAME, file, ...args],
    ...(user === undefined ? {} : { spawnAs: user }),
  };
}

/**
 * Why `file` cannot be executed, as libuv words it (`spawn <file> ENOENT`), or undefined. The
 * wrapper always starts, so a program that does not exist would otherwise show up as the
 * wrapper's own error text instead of the spawn failure AWS reports. `PATH` is searched as
 * execvp does; relative paths resolve against `cwd`.
 */
export function explainUnexecutable(
  file: string,
  path: string | undefined,
  cwd: string,
): string | undefined {
  const candidates = file.includes('/')
    ? [isAbsolute(file) ? file : join(cwd, file)]
    : (path ?? '').split(delimiter).map((dir) => join(dir === '' ? cwd : dir, file));
  let code = 'ENOENT';
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) {
        code = 'EACCES';
        continue;
      }
      accessSync(candidate, constants.X_OK);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') code = 'EACCES';
    }
  }
  return `spawn ${file} ${code}`;
}
