// Throttles sources that keep failing authentication: each source address has a bucket of
// FAILURE_BURST tokens refilled at FAILURES_PER_SECOND; a failed signature takes one, and a
// source with an empty bucket is answered ThrottlingException before any key lookup or HMAC —
// so guessing secrets is slow and costs the server little, while every other caller, and the
// same source once it stops failing, is unaffected.

import { CodedError } from '@openssm/protocol';

/** Failures a source may make in a burst (a misconfigured client retrying a few times). */
export const FAILURE_BURST = 20;
/** Sustained failures per second allowed once the burst is spent. */
export const FAILURES_PER_SECOND = 1;
/** Sources remembered at most; the oldest are forgotten first (memory stays bounded). */
const MAX_SOURCES = 10_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface FailureThrottle {
  /** Throws ThrottlingException when `source` has no failures left. */
  check(source: string, now: number): void;
  recordFailure(source: string, now: number): void;
}

export function createFailureThrottle(
  burst = FAILURE_BURST,
  perSecond = FAILURES_PER_SECOND,
): FailureThrottle {
  const buckets = new Map<string, Bucket>();
  const refill = (source: string, now: number): Bucket | undefined => {
    const bucket = buckets.get(source);
    if (bucket === undefined) return undefined;
    // A clock stepped backwards (NTP) refills nothing, rather than draining the bucket.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed / 1000) * perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= burst) buckets.delete(source);
    return bucket;
  };
  return {
    check(source, now) {
      const bucket = refill(source, now);
      if (bucket !== undefined && bucket.tokens < 1) {
        throw new CodedError('ThrottlingException', 'Rate exceeded');
      }
    },
    recordFailure(source, now) {
      const bucket = refill(source, now) ?? { tokens: burst, updatedAt: now };
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      // Re-inserted so the map's order is least recently failing first.
      buckets.delete(source);
      buckets.set(source, bucket);
      if (buckets.size > MAX_SOURCES) buckets.delete(buckets.keys().next().value!);
    },
  };
}
