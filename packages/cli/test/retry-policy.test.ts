// The reconnect schedule of ssm-wire §4.13.

import { describe, expect, it } from 'vitest';
import { createPluginRetryPolicy, createRetryPolicy } from '../src/session/retry-policy.js';

describe('retry policy', () => {
  it("matches AWS's plugin: 5 retries, random 100-199 ms start, doubling", () => {
    const low = createPluginRetryPolicy(() => 0);
    expect(low.maxRetries).toBe(5);
    expect([0, 1, 2, 3, 4].map((retry) => low.delayMs(retry))).toEqual([100, 200, 400, 800, 1600]);
    expect(createPluginRetryPolicy(() => 0.999).delayMs(0)).toBe(199);
  });

  it('starts over from the first delay once a delay would pass the maximum', () => {
    const policy = createRetryPolicy({ initialDelayMs: 100, maxDelayMs: 500, maxRetries: 10 });
    expect([0, 1, 2, 3, 4, 5].map((retry) => policy.delayMs(retry))).toEqual([
      100, 200, 400, 100, 200, 400,
    ]);
  });

  it('refuses impossible settings', () => {
    expect(() => createRetryPolicy({ initialDelayMs: 0, maxDelayMs: 1, maxRetries: 1 })).toThrow(
      RangeError,
    );
    expect(() => createRetryPolicy({ initialDelayMs: 5, maxDelayMs: 1, maxRetries: 1 })).toThrow(
      RangeError,
    );
  });
});
