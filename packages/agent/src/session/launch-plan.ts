// Decides what a session runs, as whom, where and with which environment — a pure function of
// its inputs (file-system probes injected), so every rule is unit-tested without a process.

import { accessSync, constants, statSync } from 'node:fs';
import { CommandLineError, splitCommandLine } from './command-line.js';
import { SYSTEM_PATH } from './command-runner.js';
import { SessionError } from './session-error.js';
import type { LaunchPlan } from './session-process.js';
import type { SessionUser } from './user-directory.js';

export type ShellSessionType = 'Standard_Stream' | 'InteractiveCommands' | 'NonInteractiveCommands';

/**
 * Runs the command with stderr joined to stdout in one pipe, so both arrive in the order they
 * were written, as with AWS's single output file. `exec` keeps the command's pid and exit code.
 */
const MERGE_STDERR_SCRIPT = 'exec "$@" 2>&1';

export interface LaunchPlanInput {
  readonly sessionType: ShellSessionType;
  /** InteractiveCommands / NonInteractiveCommands: what to run; blank runs a login shell. */
  readonly command?: string;
  readonly user: SessionUser;
  readonly switchUser: boolean;
  /** The environment the session starts from; see ShellSessionOptions.environment. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly cols: number;
  readonly rows: number;
  readonly separateOutputStream: boolean;
  readonly isExecutable?: (path: string) => boolean;
  readonly isDirectory?: (path: string) => boolean;
}

export function createLaunchPlan(input: LaunchPlanInput): LaunchPlan {
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const isDirectory = input.isDirectory ?? defaultIsDirectory;
  const { user } = input;
  const loginShell =
    [user.shell, '/bin/bash', '/bin/sh'].find((path) => path !== '' && isExecutable(path)) ??
    '/bin/sh';
  const command = input.command?.trim() ?? '';
  const common = {
    env: sessionEnvironment(input.environment, user, loginShell),
    cwd: user.home !== '' && isDirectory(user.home) ? user.home : '/',
    cols: input.cols,
    rows: input.rows,
    ...(input.switchUser ? { switchTo: user } : {}),
  };
  if (input.sessionType === 'NonInteractiveCommands') {
    const argv = parseCommand(input.command ?? '');
    return input.separateOutputStream
      ? {
          ...common,
          terminal: false,
          separateStreams: true,
          file: argv[0] ?? '/bin/sh',
          args: argv.slice(1),
        }
      : {
          ...common,
          terminal: false,
          separateStreams: false,
          file: '/bin/sh',
          args: ['-c', MERGE_STDERR_SCRIPT, 'sh', ...argv],
        };
  }
  if (input.sessionType === 'InteractiveCommands' && command !== '') {
    // AWS: `sh -c <commands>` in a PTY (shell_unix.go).
    return {
      ...common,
      terminal: true,
      separateStreams: false,
      file: '/bin/sh',
      args: ['-c', input.command ?? ''],
    };
  }
  // Standard_Stream: a login shell, so /etc/profile and the user's profile set the session up.
  // (AWS runs a plain `sh`; we follow sshd here.)
  return { ...common, terminal: true, separateStreams: false, file: loginShell, args: ['-l'] };
}

/**
 * The caller's environment plus what identifies the session user (HOME, USER, LOGNAME, SHELL)
 * and what AWS sets: TERM=xterm-256color always, LANG=C.UTF-8 when LANG is unset.
 */
function sessionEnvironment(
  base: Readonly<Record<string, string>> | undefined,
  user: SessionUser,
  shell: string,
): Record<string, string> {
  const env: Record<string, string> = { ...(base ?? {}) };
  env['PATH'] ??= SYSTEM_PATH;
  env['HOME'] = user.home === '' ? '/' : user.home;
  env['USER'] = user.name;
  env['LOGNAME'] = user.name;
  env['SHELL'] = shell;
  env['TERM'] = 'xterm-256color';
  if (!env['LANG']) env['LANG'] = 'C.UTF-8';
  return env;
}

function parseCommand(command: string): string[] {
  try {
    return splitCommandLine(command);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    throw new SessionError('CommandInvalid', `Failed to parse commands input: ${error.message}`, {
      cause: error,
    });
  }
}

function defaultIsExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function defaultIsDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
