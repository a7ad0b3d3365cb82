// The two kinds of failure the CLI reports itself (API errors keep the SDK's shape): a usage
// error exits 2 like other Unix tools, a failure of what was asked exits 1.

/** Bad arguments or configuration: the command could not even be attempted. Exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command ran and failed for a reason the user can act on. Exit status 1 unless given. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
