// The agent's operational errors, each with a stable code. Errors the server answered with keep
// AWS's code (`InvalidActivation`, `ExpiredTokenException`, ...) in `awsCode`, so they are shown
// the way the AWS CLI shows them: `Code: message`.

export const AgentErrorCode = {
  /** A state file is missing a field, unreadable or not what the agent wrote. */
  StateInvalid: 'StateInvalid',
  /** `register` found a registration and was not given --force. */
  AlreadyRegistered: 'AlreadyRegistered',
  /** `run` or `status` found no registration. */
  NotRegistered: 'NotRegistered',
  /** The server could not be reached, or the connection broke or timed out. */
  NetworkError: 'NetworkError',
  /** The server's certificate does not match the pinned fingerprint. */
  TlsPinMismatch: 'TlsPinMismatch',
  /** The server answered with an AWS error (`awsCode` says which). */
  ServerError: 'ServerError',
  /** The server answered something the agent cannot use (wrong status, bad body). */
  ResponseInvalid: 'ResponseInvalid',
  /** The server no longer accepts this node's identity: it must register again. */
  RegistrationRejected: 'RegistrationRejected',
  /** The agent is stopping. */
  Stopped: 'Stopped',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

export class AgentError extends Error {
  override readonly name = 'AgentError';
  /** AWS's error code when the server sent one. */
  readonly awsCode: string | undefined;
  /** The HTTP status of the answer that caused it, when there was one. */
  readonly httpStatus: number | undefined;

  constructor(
    readonly code: AgentErrorCode,
    message: string,
    options: { cause?: unknown; awsCode?: string; httpStatus?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.awsCode = options.awsCode;
    this.httpStatus = options.httpStatus;
  }
}

/** `Code: message`, with AWS's code when the server sent one. */
export function formatAgentError(error: unknown): string {
  if (error instanceof AgentError) return `${error.awsCode ?? error.code}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** True for an AgentError whose AWS code is one of `codes`. */
export function hasAwsCode(error: unknown, ...codes: readonly string[]): boolean {
  return (
    error instanceof AgentError && error.awsCode !== undefined && codes.includes(error.awsCode)
  );
}
