// Moves one output stream of the session's process into the data channel: whole UTF-8
// characters only, messages no longer than the channel's payload size, and the process paused
// while the channel cannot take more (so a fast producer never grows the agent's memory).

import type { DataChannel } from '@openssm/channel';
import { splitAtUtf8Boundary, Utf8Carry } from './utf8-chunker.js';

const NEWLINE = 0x0a;

export interface OutputPumpOptions {
  readonly channel: DataChannel;
  readonly payloadType: number;
  /** What to pause while the channel's window is full. */
  readonly source: { pause(): void; resume(): void };
  /**
   * NonInteractiveCommands separator prefix, put where AWS puts it (shell.go
   * `setupRoutineToWriteCmdPipelineOutput`): before the first output and before every read
   * that follows a read ending in a newline.
   */
  readonly prefix?: string;
  /** The channel refused the output (it closed); later output is dropped. Called once. */
  readonly onError?: (error: unknown) => void;
}

export class OutputPump {
  private readonly carry = new Utf8Carry();
  private readonly prefix: Uint8Array;
  private needPrefix = true;
  private latest: Promise<void> | undefined;
  private paused = false;
  private failed = false;

  constructor(private readonly options: OutputPumpOptions) {
    this.prefix = new TextEncoder().encode(options.prefix ?? '');
  }

  push(chunk: Uint8Array): void {
    if (this.failed || chunk.length === 0) return;
    let bytes = chunk;
    if (this.prefix.length > 0) {
      // A read ending in a newline carries no partial character, so the prefix never lands
      // inside one.
      if (this.needPrefix) bytes = concat(this.prefix, chunk);
      this.needPrefix = chunk[chunk.length - 1] === NEWLINE;
    }
    this.send(this.carry.push(bytes));
  }

  /** At the end of the stream: queues any incomplete trailing bytes as they are. */
  flush(): void {
    this.send(this.carry.flush());
  }

  private send(bytes: Uint8Array): void {
    if (this.failed || bytes.length === 0) return;
    const { channel } = this.options;
    // Cut here rather than in the channel, which cuts anywhere: read the size now, as the
    // handshake may have changed it.
    const max = channel.currentConfig.maxPayloadLength;
    let admitted: Promise<void> = Promise.resolve();
    for (let offset = 0; offset < bytes.length;) {
      const end = offset + splitAtUtf8Boundary(bytes.subarray(offset), max);
      admitted = channel.send(this.options.payloadType, bytes.subarray(offset, end));
      offset = end;
    }
    const settled: Promise<void> = admitted.then(
      () => {
        if (this.latest === settled) this.setPaused(false);
      },
      (error: unknown) => this.fail(error),
    );
    this.latest = settled;
    // The channel admits synchronously while its window has room: pause only when it did not.
    if (channel.queued > 0) this.setPaused(true);
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    // Keep reading (and dropping) so the process does not block on a full terminal.
    this.setPaused(false);
    this.options.onError?.(error);
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (paused) this.options.source.pause();
    else this.options.source.resume();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
