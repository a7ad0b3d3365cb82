// Reconnect delays: exponential backoff with FULL jitter — a uniformly random delay between 0
// and min(cap, base × 2^attempt). When a server restarts, every agent it held reconnects at
// once; full jitter spreads them over the whole window instead of in synchronised waves (the
// "Exponential Backoff And Jitter" analysis on the AWS Architecture Blog: fewest total calls,
// least contention). Base 1 s so a blip costs about a second; cap 60 s so a node comes back
// within a minute of its server (AWS's agent caps at 40 minutes, too slow for a shell you are
// waiting on) while 10,000 nodes still average under 170 connects per second.

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** Uniform in [0, 1), like Math.random; injected so tests are deterministic. */
export type Random = () => number;

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: Random): number {
  // 2^attempt overflows to Infinity long before it matters; min() keeps it at the cap.
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** Counts consecutive failures and hands out the next delay; reset() after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: Random = Math.random,
  ) {}

  get failures(): number {
    return this.attempt;
  }

  next(): number {
    return backoffDelay(this.attempt++, this.policy, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
