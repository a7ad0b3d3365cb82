// Reconnect delays: exponential ceilings with full jitter (uniform in [0, ceiling)), capped, and
// reset after a success; the random source is injected, so every number here is exact.

import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, sleep } from '../src/index.js';

const POLICY = { baseMs: 1000, capMs: 60_000 };

describe('backoffDelay', () => {
  it('draws uniformly below min(cap, base × 2^attempt)', () => {
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000];
    ceilings.forEach((ceiling, attempt) => {
      expect(backoffDelay(attempt, POLICY, () => 0)).toBe(0);
      expect(backoffDelay(attempt, POLICY, () => 0.5)).toBe(ceiling / 2);
      expect(backoffDelay(attempt, POLICY, () => 0.999999)).toBe(ceiling - 1);
    });
  });

  it('stays at the cap for any number of failures', () => {
    expect(backoffDelay(5000, POLICY, () => 0.5)).toBe(30_000);
  });

  it('spreads a crowd over the whole window (full, not equal, jitter)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 10_000 }, () => backoffDelay(10, POLICY, random));
    const buckets = new Array<number>(6).fill(0);
    for (const delay of delays) buckets[Math.floor(delay / 10_000)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(1400); // ~1667 each
    expect(Math.min(...delays)).toBeLessThan(100);
  });
});

describe('Backoff', () => {
  it('counts failures and starts over after reset()', () => {
    const backoff = new Backoff(POLICY, () => 0.5);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});

describe('sleep', () => {
  it('ends at once when aborted, before or during', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await pending;
    await sleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
