// Group commit for Run Command state: changes made during one turn of the event loop are written
// in one `save` (one transaction, one fsync), and what must wait for them — acknowledging a
// reply, sending a job that was just recorded as dispatched — runs only once they are durable.
// A failed write is retried with what changed since; nothing waiting on it runs before it lands.

import type { Logger } from '../logging/logger.js';
import type { CommandInvocationRecord, CommandRecord } from '../storage/command-records.js';
import type { CommandRepository } from '../storage/command-repositories.js';

/** Wait before writing a batch again after a failure. */
const RETRY_MS = 1000;
/** Longest a shutdown waits for pending state to be written. */
const STOP_WAIT_MS = 5000;

export class CommandWriter {
  private commands = new Map<string, CommandRecord>();
  private invocations = new Map<string, CommandInvocationRecord>();
  private actions: (() => void)[] = [];
  private scheduled = false;
  private writing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly repository: CommandRepository,
    private readonly log: Logger,
  ) {}

  putCommand(command: CommandRecord): void {
    this.commands.set(command.commandId, command);
    this.schedule();
  }

  putInvocation(invocation: CommandInvocationRecord): void {
    this.invocations.set(`${invocation.commandId}/${invocation.instanceId}`, invocation);
    this.schedule();
  }

  /** Runs `action` once everything put so far is durable. */
  afterDurable(action: () => void): void {
    this.actions.push(action);
    this.schedule();
  }

  /** Resolves once everything put so far is durable. */
  durable(): Promise<void> {
    return new Promise((resolve) => this.afterDurable(resolve));
  }

  /**
   * Writes what is pending now and stops taking new work. A store that keeps failing does not
   * hold a shutdown for longer than `waitMs`: what was not written was not acknowledged either,
   * and the nodes send it again.
   */
  async stop(waitMs = STOP_WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log.error('Run Command state still unwritten at shutdown; nodes will resend it');
        resolve();
      }, waitMs);
    });
    await Promise.race([this.durable(), gaveUp]);
    clearTimeout(timer);
    this.stopped = true;
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    // After the current turn, so everything this turn changed goes in one transaction.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    if (this.writing !== undefined) {
      await this.writing;
    }
    this.scheduled = false;
    const commands = this.commands;
    const invocations = this.invocations;
    const actions = this.actions;
    if (commands.size === 0 && invocations.size === 0 && actions.length === 0) return;
    this.commands = new Map();
    this.invocations = new Map();
    this.actions = [];
    const write = (async () => {
      if (commands.size > 0 || invocations.size > 0) {
        await this.repository.save({
          commands: [...commands.values()],
          invocations: [...invocations.values()],
        });
      }
    })();
    this.writing = write.then(
      () => undefined,
      () => undefined,
    );
    try {
      await write;
    } catch (error) {
      this.log.error('Run Command state could not be written; retrying', {
        error: error instanceof Error ? error.message : String(error),
      });
      // Newer versions put meanwhile win; the actions wait for the retry.
      for (const [key, value] of commands)
        if (!this.commands.has(key)) this.commands.set(key, value);
      for (const [key, value] of invocations) {
        if (!this.invocations.has(key)) this.invocations.set(key, value);
      }
      this.actions.unshift(...actions);
      this.writing = undefined;
      setTimeout(() => this.schedule(), RETRY_MS).unref();
      return;
    }
    this.writing = undefined;
    for (const action of actions) {
      try {
        action();
      } catch (error) {
        this.log.error('an action after a Run Command write failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
