// Polls with a deadline instead of sleeping: resolves with the probe's first value that is
// neither undefined nor false, and fails naming what it waited for when time runs out.

export async function pollUntil<T>(
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  what: string | (() => string),
  timeoutMs = 20_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
