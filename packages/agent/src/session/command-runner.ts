// Runs a short system command (getent, useradd) and collects its output; injected wherever a
// test must not touch the real system.

import { execFile } from 'node:child_process';

/** A PATH that finds the administration tools (useradd lives in /usr/sbin). */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Commands that take longer than this are killed: they are lookups, not jobs. */
const COMMAND_TIMEOUT_MS = 15_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface CommandResult {
  /** Null when a signal (or the timeout) ended the command. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Rejects only when the command could not be started at all (for example ENOENT). */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        // A fixed environment: parseable output whatever the agent's locale, tools found in sbin.
        env: { PATH: SYSTEM_PATH, LC_ALL: 'C' },
        timeout: COMMAND_TIMEOUT_MS,
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ exitCode: 0, stdout, stderr });
        } else if (typeof error.code === 'number') {
          resolve({ exitCode: error.code, stdout, stderr });
        } else if (error.killed || error.signal !== undefined) {
          resolve({ exitCode: null, stdout, stderr });
        } else {
          reject(new Error(`${file} could not be started: ${error.message}`, { cause: error }));
        }
      },
    );
  });
