// How often and how fast a client re-dials a data channel. AWS's plugin (ssm-wire §4.13): a first
// attempt at once, then up to 5 retries; the first delay is random in 100–199 ms and doubles, and
// a delay above 5 s starts over from the first — so a fleet of clients does not reconnect in step.

export interface RetryPolicy {
  /** Retries after the first attempt before giving up. */
  readonly maxRetries: number;
  /** Delay before retry number `retry` (0-based). */
  delayMs(retry: number): number;
}

export interface RetryPolicyOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;
}

export function createRetryPolicy(options: RetryPolicyOptions): RetryPolicy {
  const { initialDelayMs, maxDelayMs, maxRetries } = options;
  if (!(initialDelayMs > 0 && initialDelayMs <= maxDelayMs)) {
    throw new RangeError('retry delays must satisfy 0 < initialDelayMs <= maxDelayMs');
  }
  // Delays double until they would pass the maximum, then the sequence starts over.
  let cycle = 1;
  while (initialDelayMs * 2 ** cycle <= maxDelayMs) cycle++;
  return {
    maxRetries,
    delayMs: (retry) => initialDelayMs * 2 ** (retry % cycle),
  };
}

export function createPluginRetryPolicy(random: () => number = Math.random): RetryPolicy {
  return createRetryPolicy({
    initialDelayMs: 100 + Math.floor(random() * 100),
    maxDelayMs: 5000,
    maxRetries: 5,
  });
}
