// Shared wiring for channel tests: two engines joined by a simulated link on a fake clock, with
// seeded message ids so every run is the same.

import {
  DataChannel,
  type ChannelConfig,
  type ChannelRole,
  type StreamMessage,
} from '@openssm/channel';
import {
  FakeClock,
  createLossyLink,
  createRandom,
  nodeSha256,
  type LinkFaults,
  type LossyLink,
  type Random,
} from '@openssm/testkit';

export const PERFECT_LINK: LinkFaults = {
  dropRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  latencyMs: 1,
  reorderDelayMs: 1,
};

export function seededUuid(random: Random): () => string {
  return () => {
    const hex = Array.from(random.bytes(16), (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
}

export interface Endpoint {
  readonly channel: DataChannel;
  readonly received: StreamMessage[];
  /** Return false from the handler while this is true (session "not ready"). */
  refuse: boolean;
  /**
   * Sees each in-order message before the session, as a handshake does; when it returns true the
   * message is consumed and not recorded in `received`. Undefined: everything goes to the session.
   */
  route?: ((message: StreamMessage) => boolean) | undefined;
}

export interface Pair {
  readonly clock: FakeClock;
  readonly random: Random;
  readonly client: Endpoint;
  readonly agent: Endpoint;
  link: LossyLink;
  /** Replaces the link (a reconnect): the old one dies, both engines attach to the new one. */
  swapLink(faults: LinkFaults): void;
}

export function createEndpoint(
  role: ChannelRole,
  clock: FakeClock,
  random: Random,
  config: Partial<ChannelConfig> = {},
  route?: (message: StreamMessage) => boolean,
): Endpoint {
  const endpoint: Endpoint = {
    received: [],
    refuse: false,
    route,
    channel: undefined as unknown as DataChannel,
  };
  const channel = new DataChannel({
    role,
    environment: { clock, sha256: nodeSha256, randomUUID: seededUuid(random) },
    config,
    handlers: {
      onStreamMessage: (message) => {
        if (endpoint.route?.(message) === true) return true;
        if (endpoint.refuse) return false;
        endpoint.received.push({ ...message, payload: Uint8Array.from(message.payload) });
        return true;
      },
    },
  });
  return Object.assign(endpoint, { channel });
}

export function createPair(
  seed: number,
  faults: LinkFaults = PERFECT_LINK,
  config: { client?: Partial<ChannelConfig>; agent?: Partial<ChannelConfig> } = {},
): Pair {
  const clock = new FakeClock();
  const random = createRandom(seed);
  const client = createEndpoint('client', clock, random, config.client);
  const agent = createEndpoint('agent', clock, random, config.agent);
  const connect = (linkFaults: LinkFaults): LossyLink => {
    const link = createLossyLink(clock, random, linkFaults);
    link.a.onReceive = (bytes) => client.channel.receive(bytes);
    link.b.onReceive = (bytes) => agent.channel.receive(bytes);
    client.channel.attach(link.a.transport);
    agent.channel.attach(link.b.transport);
    return link;
  };
  const pair: Pair = {
    clock,
    random,
    client,
    agent,
    link: connect(faults),
    swapLink: (linkFaults) => {
      pair.link.cut();
      client.channel.detach();
      agent.channel.detach();
      pair.link = connect(linkFaults);
    },
  };
  return pair;
}

/** Lets pending promise continuations (awaiting producers) run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs the fake clock until `done()` holds, firing one timer at a time and letting producers
 * continue between timers. Bounded: throws after `maxSteps`.
 */
export async function runUntil(
  clock: FakeClock,
  done: () => boolean,
  maxSteps = 2_000_000,
): Promise<number> {
  for (let step = 0; step < maxSteps; step++) {
    if (done()) return step;
    await flushMicrotasks();
    if (done()) return step;
    if (!clock.runNext()) {
      await flushMicrotasks();
      if (!done() && clock.pendingTimers === 0)
        throw new Error('simulation stalled: no timers left');
    }
  }
  throw new Error(`simulation did not finish within ${maxSteps} steps`);
}

export function counterPayload(tag: number, index: number): Uint8Array {
  const bytes = new Uint8Array(8 + (index % 23));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, tag);
  view.setUint32(4, index);
  bytes.fill(index & 0xff, 8);
  return bytes;
}

export function readCounter(payload: Uint8Array): { tag: number; index: number } {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { tag: view.getUint32(0), index: view.getUint32(4) };
}
