// Creates the session user (ssm-user) on first use, as AWS's agent does when it runs as root.
// Unlike AWS we add no sudoers rule: granting ssm-user passwordless root is the operator's call.

import { runCommand, type CommandRunner } from './command-runner.js';
import { SessionError } from './session-error.js';
import { createSystemUserDirectory, isAcceptableUserName } from './user-directory.js';

/** useradd's exit status for "username already in use" (another session created it first). */
const USERADD_NAME_IN_USE = 9;

export interface EnsureUserOptions {
  readonly run?: CommandRunner;
  /** Login shell of a created user. */
  readonly shell?: string;
}

/** Creates `name` with a home directory unless it exists; true when this call created it. */
export async function ensureUser(name: string, options: EnsureUserOptions = {}): Promise<boolean> {
  if (!isAcceptableUserName(name)) {
    throw new SessionError(
      'UserCreationFailed',
      `refusing to create a user named ${JSON.stringify(name)}`,
    );
  }
  const run = options.run ?? runCommand;
  if ((await createSystemUserDirectory(run).lookup(name)) !== undefined) return false;
  const result = await run('useradd', [
    '--create-home',
    '--shell',
    options.shell ?? '/bin/bash',
    name,
  ]);
  if (result.exitCode === 0) return true;
  if (result.exitCode === USERADD_NAME_IN_USE) return false;
  throw new SessionError(
    'UserCreationFailed',
    `failed to create user ${name}: ${result.stderr.trim() || `useradd exited with ${result.exitCode}`}`,
  );
}
