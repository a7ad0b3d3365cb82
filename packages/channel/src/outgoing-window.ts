// The unacknowledged messages this end has sent, in sequence order, bounded by count and bytes.
// Unlike AWS's plugin, which evicts the oldest message when its buffer is full (and so can lose
// data), the window refuses new messages and the engine makes the producer wait.

export interface PendingMessage {
  readonly sequenceNumber: number;
  readonly messageId: string;
  /** The encoded frame; resends are byte-identical to the first send, as AWS's peers expect. */
  readonly bytes: Uint8Array;
  readonly payloadLength: number;
  /** When the frame last went out; undefined while no transport could take it. */
  lastSentAt: number | undefined;
  resends: number;
}

export class OutgoingWindow {
  private readonly pending = new Map<number, PendingMessage>();
  private bytesInFlight = 0;

  constructor(
    private readonly limits: { readonly windowSize: number; readonly windowBytes: number },
  ) {}

  get size(): number {
    return this.pending.size;
  }

  hasRoomFor(payloadLength: number): boolean {
    if (this.pending.size === 0) return true;
    return (
      this.pending.size < this.limits.windowSize &&
      this.bytesInFlight + payloadLength <= this.limits.windowBytes
    );
  }

  add(message: PendingMessage): void {
    this.pending.set(message.sequenceNumber, message);
    this.bytesInFlight += message.payloadLength;
  }

  /** Removes the message with exactly this sequence number (AWS's ack rule). */
  acknowledge(sequenceNumber: number): PendingMessage | undefined {
    const message = this.pending.get(sequenceNumber);
    if (message !== undefined) this.remove(message);
    return message;
  }

  /** Removes every message up to and including `sequenceNumber` (OpenSSM cumulative acks). */
  acknowledgeThrough(sequenceNumber: number): PendingMessage | undefined {
    let last: PendingMessage | undefined;
    for (const message of this.pending.values()) {
      if (message.sequenceNumber > sequenceNumber) break;
      this.remove(message);
      last = message;
    }
    return last;
  }

  /** Messages in sequence order (Map keeps insertion order, and sequence numbers only grow). */
  values(): IterableIterator<PendingMessage> {
    return this.pending.values();
  }

  clear(): void {
    this.pending.clear();
    this.bytesInFlight = 0;
  }

  private remove(message: PendingMessage): void {
    this.pending.delete(message.sequenceNumber);
    this.bytesInFlight -= message.payloadLength;
  }
}
