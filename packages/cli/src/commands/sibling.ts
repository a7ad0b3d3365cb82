// `openssm server …` and `openssm agent …` run the `openssm-server` / `openssm-agent` executables.
// Why not import them: the CLI ships to operators' laptops and must not carry server or agent
// code (lint-enforced, DESIGN.md §3); each program keeps its own dependencies (SQLite, node-pty)
// and its own process (signals, exit code) — the way `git foo` runs `git-foo` from PATH.
// PATH comes first so an installed version wins, then the directory we were started from
// (node_modules/.bin, where npm links the sibling packages' binaries).

import { spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Env, Host } from '../host/host.js';

/** The executable was not found: the shell's status for "command not found". */
export const NOT_FOUND_EXIT_CODE = 127;

/** Signals a service manager or `kill` sends to our pid only: the child must get them too. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
/**
 * Keyboard signals reach the whole process group (the child included) from the terminal; we
 * ignore them so the child decides how to stop and we report its exit status.
 */
const IGNORED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

export type Spawn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ReturnType<typeof spawn>;

export function findExecutable(name: string, env: Env, programDir: string): string | undefined {
  const directories = (env['PATH'] ?? '').split(delimiter).filter((entry) => entry !== '');
  directories.push(programDir);
  for (const directory of directories) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here (or not executable): keep looking.
    }
  }
  return undefined;
}

export async function runSibling(
  executable: string,
  args: readonly string[],
  host: Host,
  spawnProcess: Spawn = spawn,
): Promise<number> {
  const programDir = dirname(host.programPath);
  const path = findExecutable(executable, host.env, programDir);
  if (path === undefined) {
    host.stderr.write(`openssm: ${executable} is neither on PATH nor in ${programDir}\n`);
    return NOT_FOUND_EXIT_CODE;
  }
  const child = spawnProcess(path, args, { stdio: 'inherit', env: host.env });
  const removers = [
    ...FORWARDED_SIGNALS.map((signal) => host.signals.on(signal, () => child.kill(signal))),
    ...IGNORED_SIGNALS.map((signal) => host.signals.on(signal, () => undefined)),
  ];
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        // Like a shell: a child killed by signal N gives 128 + N.
        if (signal !== null) resolve(128 + (osConstants.signals[signal] ?? 0));
        else resolve(code ?? 1);
      });
    });
  } finally {
    for (const remove of removers) remove();
  }
}
