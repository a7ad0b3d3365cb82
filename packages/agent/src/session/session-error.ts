// Why a shell session could not start. The messages follow AWS's agent where it has one
// (shell_unix.go), because the session controller reports them to the user unchanged (as the
// `Output` of agent_task_complete, ssm-wire §6.5).

export const SessionErrorCode = {
  /** runAs was given with a blank user name. */
  RunAsUserMissing: 'RunAsUserMissing',
  /** runAs names another user but the agent does not run as root. */
  RunAsNotPermitted: 'RunAsNotPermitted',
  /** runAs names a user that does not exist (or a name we refuse to look up). */
  RunAsUserNotFound: 'RunAsUserNotFound',
  /** The command line of a NonInteractiveCommands session cannot be parsed. */
  CommandInvalid: 'CommandInvalid',
  /** A separator prefix of NonInteractiveCommands does not match AWS's pattern. */
  SeparatorPrefixInvalid: 'SeparatorPrefixInvalid',
  /** The operating system refused to start the process or terminal. */
  SpawnFailed: 'SpawnFailed',
  /** useradd failed while creating the session user. */
  UserCreationFailed: 'UserCreationFailed',
} as const;
export type SessionErrorCode = (typeof SessionErrorCode)[keyof typeof SessionErrorCode];

export class SessionError extends Error {
  override readonly name = 'SessionError';

  constructor(
    readonly code: SessionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
