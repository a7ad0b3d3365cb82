// A simulated network between two endpoints on a FakeClock: every frame is delayed, and may be
// dropped, duplicated or held back so that later frames overtake it. Seeded, so reproducible.

import type { FakeClock } from './fake-clock.js';
import type { Random } from './random.js';

export interface LinkFaults {
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly reorderRate: number;
  readonly latencyMs: number;
  /** Extra delay of a reordered frame, so that frames sent after it arrive first. */
  readonly reorderDelayMs: number;
}

export interface LinkEnd {
  /** Hand this to the engine as its transport. */
  readonly transport: { send(bytes: Uint8Array): void };
  /** Where frames for this end are delivered; set it before traffic flows. */
  onReceive: (bytes: Uint8Array) => void;
}

export interface LossyLink {
  readonly a: LinkEnd;
  readonly b: LinkEnd;
  readonly stats: { sent: number; dropped: number; duplicated: number; reordered: number };
  /** Stops delivering: frames in flight and later sends are lost (a dead connection). */
  cut(): void;
}

export function createLossyLink(clock: FakeClock, random: Random, faults: LinkFaults): LossyLink {
  const stats = { sent: 0, dropped: 0, duplicated: 0, reordered: 0 };
  let alive = true;
  const deliverLater = (to: LinkEnd, bytes: Uint8Array): void => {
    let delay = faults.latencyMs;
    if (random.chance(faults.reorderRate)) {
      stats.reordered++;
      delay += 1 + random.int(faults.reorderDelayMs);
    }
    // Copy: the receiver may keep views into what it was given.
    const copy = Uint8Array.from(bytes);
    clock.setTimeout(() => {
      if (alive) to.onReceive(copy);
    }, delay);
  };

  const forward = (to: LinkEnd, bytes: Uint8Array): void => {
    if (!alive) return;
    stats.sent++;
    if (random.chance(faults.dropRate)) {
      stats.dropped++;
      return;
    }
    deliverLater(to, bytes);
    if (random.chance(faults.duplicateRate)) {
      stats.duplicated++;
      deliverLater(to, bytes);
    }
  };
  const a: LinkEnd = {
    transport: { send: (bytes) => forward(b, bytes) },
    onReceive: () => undefined,
  };
  const b: LinkEnd = {
    transport: { send: (bytes) => forward(a, bytes) },
    onReceive: () => undefined,
  };
  return {
    a,
    b,
    stats,
    cut: () => {
      alive = false;
    },
  };
}
