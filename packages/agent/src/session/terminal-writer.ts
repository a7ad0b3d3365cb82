// Writes keystrokes into a PTY master. node-pty hands every write to libuv's thread pool
// (fs.write), so each keystroke waits for a pool thread to be scheduled before the shell sees
// it, and its queue grows without bound when the program stops reading. Here a write goes
// straight to the non-blocking master on the caller's thread; only what the terminal cannot
// take now is queued, up to a bound, and retried on a short timer instead of a spinning loop.

import { writeSync } from 'node:fs';

/**
 * Input held for a program that is not reading. A full paste is far below this; past it the
 * session answers "not ready" and the client resends, as AWS's agent does for a busy handler.
 */
export const MAX_QUEUED_INPUT_BYTES = 1024 * 1024;
/** How soon to try again after the terminal's input buffer was full. */
const RETRY_MS = 2;

type WriteToFd = (fd: number, bytes: Uint8Array) => number;

export class TerminalWriter {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly maxQueuedBytes = MAX_QUEUED_INPUT_BYTES,
    private readonly writeToFd: WriteToFd = (fd, bytes) => writeSync(fd, bytes),
  ) {}

  /** Bytes waiting for the program to read. */
  get pending(): number {
    return this.queuedBytes;
  }

  /**
   * Takes all of `bytes` or, when the queue is full, none of it (false): a caller may offer it
   * again later. Bytes taken reach the terminal in order. After close() everything is dropped.
   */
  write(bytes: Uint8Array): boolean {
    if (this.closed || bytes.length === 0) return true;
    if (this.queuedBytes > 0 && this.queuedBytes + bytes.length > this.maxQueuedBytes) return false;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    if (this.retry === undefined) this.flush();
    return true;
  }

  /** Stops writing (the program is gone); drops what is queued. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private flush(): void {
    this.retry = undefined;
    while (!this.closed && this.queue.length > 0) {
      const head = this.queue[0]!;
      let written: number;
      try {
        written = this.writeToFd(this.fd, head);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        // EIO and friends: the terminal hung up; nothing more can reach the program.
        this.close();
        return;
      }
      this.queuedBytes -= written;
      if (written === head.length) this.queue.shift();
      else {
        this.queue[0] = head.subarray(written);
        break;
      }
    }
    if (!this.closed && this.queue.length > 0) {
      this.retry = setTimeout(() => this.flush(), RETRY_MS);
    }
  }
}
