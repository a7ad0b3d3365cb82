// Starts a session's program so that it holds no file descriptor but 0, 1 and 2. node-pty 1.1
// opens every PTY master without FD_CLOEXEC (fixed upstream in microsoft/node-pty#867, 1.2
// betas), so any process the agent starts later — a PTY shell or a pipe command — inherited the
// masters of the sessions already running and could read and type into them, even as another
// RunAs user. Node cannot set FD_CLOEXEC itself, so we close the leaks in the child: the spawner
// runs a tiny shell that closes every descriptor above 2 and then `exec`s the real program with
// its argv passed as positional parameters (never interpolated into the script).

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

/**
 * The file and argv that run `file args…` with only descriptors 0-2 inherited. Throws when no
 * shell on this system can close descriptors above 9: a session must not start with another
 * session's terminal in its hands.
 */
export function closingInheritedFds(
  file: string,
  args: readonly string[],
): { file: string; args: string[] } {
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
