// What the data-channel engine needs from its host, injected so the engine runs unchanged in
// Node, in the browser and under a fake clock in tests.

/** Node returns an object, browsers a number; the engine only hands it back to clearTimeout. */
export type TimerHandle = object | number;

export interface Clock {
  /** Milliseconds since the epoch (CreatedDate on the wire is epoch milliseconds). */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** One established connection (a WebSocket) carrying one binary AgentMessage per send. */
export interface Transport {
  send(bytes: Uint8Array): void;
}

export interface Environment {
  readonly clock: Clock;
  readonly sha256: (data: Uint8Array) => Uint8Array;
  /** A fresh random (version 4) UUID, lowercase canonical text. */
  readonly randomUUID: () => string;
}
