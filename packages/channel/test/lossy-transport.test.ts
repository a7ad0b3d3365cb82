// The engine over a simulated lossy network: 10% drops, 10% duplicates and 10% reordering each
// way, 10,000 messages in each direction, every payload delivered exactly once and in order —
// deterministically under a fake clock, and across a transport swap in mid-stream (resume).

import { PayloadType } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  counterPayload,
  createPair,
  readCounter,
  runUntil,
  type Endpoint,
  type Pair,
} from './harness.js';

const MESSAGES_EACH_WAY = 10_000;
/** CPU-bound under the fake clock: a loaded 2-core machine needs far more than the default. */
const CPU_BOUND_TIMEOUT_MS = 90_000;
const LOSSY = {
  dropRate: 0.1,
  duplicateRate: 0.1,
  reorderRate: 0.1,
  latencyMs: 2,
  reorderDelayMs: 20,
};

async function produce(endpoint: Endpoint, tag: number, onProgress?: (sent: number) => void) {
  for (let index = 0; index < MESSAGES_EACH_WAY; index++) {
    await endpoint.channel.send(PayloadType.Output, counterPayload(tag, index));
    onProgress?.(index + 1);
  }
}

function assertExactlyOnceInOrder(endpoint: Endpoint, tag: number): void {
  expect(endpoint.received).toHaveLength(MESSAGES_EACH_WAY);
  endpoint.received.forEach((message, index) => {
    expect(message.sequenceNumber).toBe(index);
    expect(readCounter(message.payload)).toEqual({ tag, index });
  });
}

async function exchange(pair: Pair, onClientProgress?: (sent: number) => void) {
  const producers = Promise.all([
    produce(pair.client, 1, onClientProgress),
    produce(pair.agent, 2),
  ]);
  let produced = false;
  void producers.then(() => (produced = true));
  const steps = await runUntil(
    pair.clock,
    () =>
      produced &&
      pair.client.received.length === MESSAGES_EACH_WAY &&
      pair.agent.received.length === MESSAGES_EACH_WAY &&
      pair.client.channel.inFlight === 0 &&
      pair.agent.channel.inFlight === 0,
  );
  await producers;
  return steps;
}

function fingerprint(pair: Pair) {
  return {
    now: pair.clock.now(),
    link: { ...pair.link.stats },
    client: { ...pair.client.channel.stats },
    agent: { ...pair.agent.channel.stats },
  };
}

describe('data channel over a lossy transport', () => {
  it(
    'delivers 10,000 messages each way exactly once and in order despite 10% drop/dup/reorder',
    async () => {
      const pair = createPair(20261126, LOSSY);
      await exchange(pair);
      assertExactlyOnceInOrder(pair.agent, 1);
      assertExactlyOnceInOrder(pair.client, 2);
      // The faults really happened: otherwise this test could not fail.
      expect(pair.link.stats.dropped).toBeGreaterThan(1000);
      expect(pair.link.stats.duplicated).toBeGreaterThan(1000);
      expect(pair.link.stats.reordered).toBeGreaterThan(1000);
      expect(pair.agent.channel.stats.duplicatesReceived).toBeGreaterThan(0);
      expect(pair.agent.channel.stats.outOfOrderReceived).toBeGreaterThan(0);
      expect(pair.client.channel.stats.messagesResent).toBeGreaterThan(0);
    },
    CPU_BOUND_TIMEOUT_MS,
  );

  it(
    'is deterministic: the same seed gives the same run',
    async () => {
      const first = createPair(7, LOSSY);
      await exchange(first);
      const second = createPair(7, LOSSY);
      await exchange(second);
      expect(fingerprint(second)).toEqual(fingerprint(first));
    },
    CPU_BOUND_TIMEOUT_MS,
  );

  it(
    'keeps sequence numbers and loses nothing when the transport is swapped mid-stream',
    async () => {
      const pair = createPair(99, LOSSY);
      let swapped = false;
      await exchange(pair, (sent) => {
        if (sent === MESSAGES_EACH_WAY / 2 && !swapped) {
          swapped = true;
          pair.swapLink(LOSSY);
        }
      });
      expect(swapped).toBe(true);
      assertExactlyOnceInOrder(pair.agent, 1);
      assertExactlyOnceInOrder(pair.client, 2);
    },
    CPU_BOUND_TIMEOUT_MS,
  );
});
