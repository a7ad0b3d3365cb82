// Which user a session runs as, with AWS's rules (shell_unix.go `StartCommandExecutor`): only a
// root agent may run a session as someone else, and that user must already exist.

import { SessionError } from './session-error.js';
import type { SessionUser, UserDirectory } from './user-directory.js';

/** The user AWS's agent runs sessions as when RunAs is off and it runs as root. */
export const DEFAULT_SESSION_USER = 'ssm-user';

export interface RunAsSettings {
  /** Session document `inputs.runAsEnabled`. */
  readonly runAsEnabled: boolean;
  /** Session document `inputs.runAsDefaultUser`. */
  readonly runAsDefaultUser?: string;
  /** `RunAsUser` of the interactive_shell payload; overrides the default when not blank. */
  readonly runAsUser?: string;
  /** InteractiveCommands `properties.linux.runAsElevated`: run as the agent's own user. */
  readonly runAsElevated?: boolean;
  readonly agentIsRoot: boolean;
}

export interface RunAsChoice {
  /** The user to run as; undefined runs the session as the agent's own user. */
  readonly user?: string;
  /** True for ssm-user: create it (ensureUser) before starting the session. */
  readonly createIfMissing: boolean;
}

/** AWS's choice of session user, for the session controller to pass on as `runAs`. */
export function selectRunAsUser(settings: RunAsSettings): RunAsChoice {
  if (settings.runAsElevated === true) return { createIfMissing: false };
  if (settings.runAsEnabled) {
    const user = settings.runAsUser?.trim() || settings.runAsDefaultUser?.trim() || '';
    return { user, createIfMissing: false };
  }
  if (settings.agentIsRoot) return { user: DEFAULT_SESSION_USER, createIfMissing: true };
  return { createIfMissing: false };
}

export interface ResolvedSessionUser {
  readonly user: SessionUser;
  /** True when the process must change uid/gid (only ever for a root agent). */
  readonly switchUser: boolean;
}

/**
 * The passwd entry a session runs as. Throws SessionError: a blank name, another user while
 * the agent is not root, or a user that does not exist.
 */
export async function resolveSessionUser(
  runAs: { readonly user: string } | undefined,
  users: UserDirectory,
): Promise<ResolvedSessionUser> {
  const agent = users.current();
  if (runAs === undefined) return { user: agent, switchUser: false };
  const name = runAs.user.trim();
  if (name === '') throw new SessionError('RunAsUserMissing', 'please set the RunAs default user');
  if (name === agent.name) return { user: agent, switchUser: false };
  if (agent.uid !== 0) {
    throw new SessionError(
      'RunAsNotPermitted',
      `the agent must run as root to use RunAs (it runs as ${agent.name}, the session asks for ${name})`,
    );
  }
  let user: SessionUser | undefined;
  try {
    user = await users.lookup(name);
  } catch (error) {
    throw new SessionError('RunAsUserNotFound', `failed to look up RunAs user ${name}`, {
      cause: error,
    });
  }
  if (user === undefined) {
    throw new SessionError(
      'RunAsUserNotFound',
      `failed to start pty since RunAs user ${name} does not exist`,
    );
  }
  return { user, switchUser: user.uid !== agent.uid || user.gid !== agent.gid };
}
