// Stream messages that arrived ahead of a gap, keyed by sequence number and bounded: a message
// that does not fit is dropped unacknowledged, so the peer resends it once the gap has filled.

export interface StreamMessage {
  readonly sequenceNumber: number;
  readonly messageId: string;
  readonly payloadType: number;
  /** A view into the received frame; copy it to keep it beyond the handler call. */
  readonly payload: Uint8Array;
}

export class IncomingBuffer {
  private readonly messages = new Map<number, StreamMessage>();

  constructor(private readonly capacity: number) {}

  /** Stores `message` unless it is too far ahead or the buffer is full; true when held. */
  store(message: StreamMessage, expectedSequenceNumber: number): boolean {
    if (this.messages.has(message.sequenceNumber)) return true;
    const distance = message.sequenceNumber - expectedSequenceNumber;
    if (distance > this.capacity || this.messages.size >= this.capacity) return false;
    this.messages.set(message.sequenceNumber, message);
    return true;
  }

  get(sequenceNumber: number): StreamMessage | undefined {
    return this.messages.get(sequenceNumber);
  }

  delete(sequenceNumber: number): void {
    this.messages.delete(sequenceNumber);
  }

  clear(): void {
    this.messages.clear();
  }
}
