// Puts one direction of a data channel back in sequence order for the recorder: the relay sees
// frames as they arrive, and a peer resends unacknowledged ones (duplicates) or sends past a
// lost one (gaps). Each sequence number is handed out once, in order; a gap that does not fill
// within the bound is skipped so recording never stalls.

/** Messages held ahead of a gap before the gap is given up on. */
export const MAX_HELD_MESSAGES = 512;

export class InOrder<T> {
  private next = 0;
  private readonly held = new Map<number, T>();
  skipped = 0;

  /** The items now deliverable, in sequence order (empty for a duplicate or an early one). */
  accept(sequenceNumber: number, item: T): T[] {
    if (sequenceNumber < this.next || this.held.has(sequenceNumber)) return [];
    this.held.set(sequenceNumber, item);
    if (this.held.size > MAX_HELD_MESSAGES) {
      const lowest = Math.min(...this.held.keys());
      this.skipped += lowest - this.next;
      this.next = lowest;
    }
    const out: T[] = [];
    for (
      let ready = this.held.get(this.next);
      ready !== undefined;
      ready = this.held.get(this.next)
    ) {
      this.held.delete(this.next);
      out.push(ready);
      this.next += 1;
    }
    return out;
  }
}
