// A deterministic clock for the platform-free engines: timers fire only when the test advances
// time, in due-time order (ties in creation order), so a simulated run replays exactly.

export interface FakeTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

export class FakeClock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = 1_795_719_693_230) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): number {
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.current + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Fires every timer due within `ms`, moving time forward step by step. */
  advance(ms: number): void {
    const until = this.current + ms;
    while (this.runNext(until)) {
      // keep firing
    }
    this.current = until;
  }

  /** Jumps to the earliest timer (not beyond `limit`) and fires it; false when none is due. */
  runNext(limit = Number.POSITIVE_INFINITY): boolean {
    let earliest: FakeTimer | undefined;
    for (const timer of this.timers.values()) {
      if (earliest === undefined || timer.dueAt < earliest.dueAt) earliest = timer;
    }
    if (earliest === undefined || earliest.dueAt > limit) return false;
    this.timers.delete(earliest.id);
    this.current = Math.max(this.current, earliest.dueAt);
    earliest.callback();
    return true;
  }
}
