// A buffer in front of a store that may fail (a full disk, an unreachable bucket, a locked
// database): items are written in batches on a timer, kept and retried with backoff when a
// write fails, and reported once per outage and once on recovery. Bounded: past `maxBytes`
// the oldest items are dropped and the loss is reported — a session is never blocked by it.

export interface RetryingSinkOptions<T> {
  /** Writes a batch; rejects to have the whole batch kept and retried. */
  readonly write: (items: readonly T[]) => Promise<void>;
  readonly sizeOf: (item: T) => number;
  /** How often buffered items are written (ms). */
  readonly flushMs: number;
  readonly maxBytes: number;
  readonly onFailure: (error: unknown, consecutive: number) => void;
  readonly onRecovered: (afterFailures: number) => void;
  readonly onDropped: (bytes: number) => void;
}

/** Retries back off from the flush period up to this (ms). */
export const MAX_RETRY_DELAY_MS = 30_000;

export class RetryingSink<T> {
  private items: T[] = [];
  private bytes = 0;
  private failures = 0;
  private writing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly options: RetryingSinkOptions<T>) {}

  get failing(): boolean {
    return this.failures > 0;
  }

  get pending(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.bytes += this.options.sizeOf(item);
    let dropped = 0;
    while (this.bytes > this.options.maxBytes && this.items.length > 1) {
      const oldest = this.items.shift() as T;
      const size = this.options.sizeOf(oldest);
      this.bytes -= size;
      dropped += size;
    }
    if (dropped > 0) this.options.onDropped(dropped);
    this.schedule(this.options.flushMs);
  }

  /** Writes what is buffered now; true when nothing is left. */
  async flush(): Promise<boolean> {
    if (this.writing !== undefined) await this.writing;
    if (this.items.length > 0) await this.attempt();
    return this.items.length === 0;
  }

  /**
   * Keeps retrying in the background until everything is written or `deadline` (epoch ms)
   * passes; resolves true when all was written.
   */
  async drain(deadline: number, now: () => number): Promise<boolean> {
    while (!(await this.flush())) {
      if (now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, this.delay()).unref());
    }
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private delay(): number {
    return this.failures === 0
      ? this.options.flushMs
      : Math.min(MAX_RETRY_DELAY_MS, this.options.flushMs * 2 ** Math.min(this.failures, 10));
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt().then(() => {
        if (this.items.length > 0) this.schedule(this.delay());
      });
    }, ms);
    this.timer.unref();
  }

  private attempt(): Promise<void> {
    this.writing ??= (async () => {
      const batch = this.items;
      const bytes = this.bytes;
      if (batch.length === 0) return;
      this.items = [];
      this.bytes = 0;
      try {
        await this.options.write(batch);
        if (this.failures > 0) {
          const after = this.failures;
          this.failures = 0;
          this.options.onRecovered(after);
        }
      } catch (error) {
        // Keep the batch ahead of anything that arrived meanwhile, in order.
        this.items = [...batch, ...this.items];
        this.bytes += bytes;
        this.failures += 1;
        this.options.onFailure(error, this.failures);
      }
    })().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }
}
