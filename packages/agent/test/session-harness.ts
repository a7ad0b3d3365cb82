// Wiring for session tests in real time: an agent-role and a client-role DataChannel joined by an
// in-memory link (frames delivered on the next turn of the event loop), whose client-bound half
// can be held to play a client that does not read.

import { createHash, randomUUID } from 'node:crypto';
import {
  DataChannel,
  type ChannelConfig,
  type Environment,
  type StreamMessage,
} from '@openssm/channel';
import { PayloadType } from '@openssm/protocol';

export const realEnvironment: Environment = {
  clock: {
    now: () => Date.now(),
    setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  randomUUID: () => randomUUID(),
};

interface HalfLink {
  send(bytes: Uint8Array): void;
  hold(): void;
  release(): void;
}

function halfLink(deliver: (bytes: Uint8Array) => void): HalfLink {
  const queue: Uint8Array[] = [];
  let held = false;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (held) return;
    for (const frame of queue.splice(0)) deliver(frame);
  };
  const schedule = (): void => {
    if (scheduled || held) return;
    scheduled = true;
    setImmediate(flush);
  };
  return {
    send(bytes) {
      queue.push(Uint8Array.from(bytes));
      schedule();
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      schedule();
    },
  };
}

export interface SessionPair {
  readonly agent: DataChannel;
  readonly client: DataChannel;
  /** Copies of what the client received, in order. */
  readonly received: StreamMessage[];
  /** Where the agent's in-order stream messages go (the session's handleStreamMessage). */
  onAgentMessage: (message: StreamMessage) => boolean;
  /** Stops delivering agent → client frames (acks included) until release(). */
  holdClientBound(): void;
  release(): void;
  /** Everything received as `payloadType`, joined and decoded. */
  text(payloadType?: number): string;
  close(): void;
}

export function createSessionPair(agentConfig: Partial<ChannelConfig> = {}): SessionPair {
  const received: StreamMessage[] = [];
  const pair = {
    received,
    onAgentMessage: (): boolean => true,
  } as unknown as SessionPair;
  const agent = new DataChannel({
    role: 'agent',
    environment: realEnvironment,
    config: agentConfig,
    handlers: { onStreamMessage: (message) => pair.onAgentMessage(message) },
  });
  const client = new DataChannel({
    role: 'client',
    environment: realEnvironment,
    handlers: {
      onStreamMessage: (message) => {
        received.push({ ...message, payload: Uint8Array.from(message.payload) });
        return true;
      },
    },
  });
  const toClient = halfLink((bytes) => client.receive(bytes));
  const toAgent = halfLink((bytes) => agent.receive(bytes));
  agent.attach({ send: (bytes) => toClient.send(bytes) });
  client.attach({ send: (bytes) => toAgent.send(bytes) });
  return Object.assign(pair, {
    agent,
    client,
    holdClientBound: () => toClient.hold(),
    release: () => toClient.release(),
    text: (payloadType: number = PayloadType.Output) => {
      const decoder = new TextDecoder();
      return received
        .filter((message) => message.payloadType === payloadType)
        .map((message) => decoder.decode(message.payload, { stream: true }))
        .join('');
    },
    close: () => {
      agent.close();
      client.close();
    },
  });
}

/** Polls `condition` every 10 ms; throws with `what` when `timeoutMs` passes first. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rejects when `promise` takes longer than `timeoutMs`. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
