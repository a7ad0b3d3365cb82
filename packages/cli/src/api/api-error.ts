// Turns what the SDK throws into the one line the CLI prints: `<Code>: <message>`, the code being
// the SSM error name (`TargetNotConnected`), the credential provider's, or the socket error's.

export function describeApiError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const systemCode = (error as { code?: unknown }).code;
  const code = typeof systemCode === 'string' ? systemCode : error.name;
  let message = error.message;
  if (message === '' && error instanceof AggregateError) {
    // Node reports a refused dual-stack connect as an AggregateError with an empty message.
    message = error.errors.map((inner) => describeApiError(inner)).join('; ');
  }
  return `${code}: ${message === '' ? '(no message)' : message}`;
}
