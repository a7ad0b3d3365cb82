// A shell session on the user's terminal (ssm-wire §4.12): once the handshake is done, raw mode,
// the window size now and on every resize, keystrokes and forwarded control signals to the agent,
// every payload from it to stdout; the terminal is restored however the session ends.

import type { Environment, StreamMessage } from '@openssm/channel';
import {
  PayloadType,
  SessionType,
  encodeSizePayload,
  parseExitCodePayload,
} from '@openssm/protocol';
import type { Host, HostSignal, TerminalSize } from '../host/host.js';
import { EscapeDetector } from './escape-detector.js';
import { createNodeEnvironment } from './node-environment.js';
import { createPluginRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { SessionConnection, type SessionStart } from './session-connection.js';
import { channelClosedMessage, sessionTimedOutMessage } from './session-messages.js';
import type { Dialer } from './websocket-transport.js';
import type { ListenerSwitch } from './listener-switch.js';

export interface ShellSessionOptions {
  readonly start: SessionStart;
  readonly clientId: string;
  readonly clientVersion: string;
  readonly io: Pick<Host, 'stdin' | 'stdout' | 'terminal' | 'signals'>;
  readonly dial: Dialer;
  /** Calls ResumeSession; resolves to the new TokenValue ('' or undefined: the session is gone). */
  readonly resume: () => Promise<string | undefined>;
  /**
   * What stdin at EOF means. 'end': the session ends (AWS's plugin: "Cannot perform start
   * session: EOF"). 'send-eot': Ctrl-D goes to the remote shell, which then exits by itself —
   * so `echo uptime | openssm connect web-1` runs the command and ends.
   */
  readonly onStdinEnd: 'end' | 'send-eot';
  /** ExitCode payloads: 'print' them like AWS's plugin, or 'collect' the code as the exit status. */
  readonly exitCodes: 'print' | 'collect';
  /** Recognise `~.` (disconnect) and `~~` after a newline, like ssh. */
  readonly escape?: boolean;
  readonly retry?: RetryPolicy;
  readonly environment?: Environment;
  /**
   * A connection already open and past its handshake (the plugin opens it to learn the session
   * type); its listener switch is bound to this session.
   */
  readonly attached?: {
    readonly connection: SessionConnection;
    readonly listeners: ListenerSwitch;
  };
}

export type ShellSessionOutcome =
  | { readonly kind: 'closed'; readonly exitCode: number | undefined }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'stdin-ended' }
  | { readonly kind: 'escaped' }
  | { readonly kind: 'failed'; readonly stage: 'connect' | 'session'; readonly error: Error };

/** The session types shown as a terminal; a Port session needs a port forwarder instead. */
const SHELL_SESSION_TYPES: readonly string[] = [
  SessionType.StandardStream,
  SessionType.InteractiveCommands,
  SessionType.NonInteractiveCommands,
];

/** AWS's plugin sends this when it cannot read the terminal's size (§4.12). */
const FALLBACK_SIZE: TerminalSize = { cols: 300, rows: 100 };

/** Bytes a terminal in cooked mode would have turned into these signals (§4.12). */
const SIGNAL_BYTES: Readonly<Record<HostSignal, number>> = {
  SIGINT: 0x03,
  SIGQUIT: 0x1c,
  SIGTSTP: 0x1a,
};

/** Ctrl-D: end of input for the remote shell's line discipline. */
const EOT = Uint8Array.of(0x04);

/**
 * Output waiting for a slow stdout beyond this is refused, and the agent resends it later: memory
 * stays bounded when output outpaces the consumer (a pipe into `less`, a slow terminal).
 */
const STDOUT_HIGH_WATER_BYTES = 1024 * 1024;

/** How long stdin EOF waits for typed input to be acknowledged before the session ends. */
const EOF_DRAIN_MS = 2000;
const EOF_DRAIN_POLL_MS = 10;

export function runShellSession(options: ShellSessionOptions): Promise<ShellSessionOutcome> {
  return new Promise((resolve) => new ShellSession(options, resolve).start());
}

class ShellSession {
  private readonly connection: SessionConnection;
  private readonly cleanups: (() => void)[] = [];
  private readonly escape: EscapeDetector | undefined;
  private finished = false;
  private started = false;
  private exitCode: number | undefined;
  private lastSize: TerminalSize | undefined;

  constructor(
    private readonly options: ShellSessionOptions,
    private readonly resolve: (outcome: ShellSessionOutcome) => void,
  ) {
    this.escape = options.escape === true ? new EscapeDetector() : undefined;
    const sessionId = options.start.sessionId;
    const listener = {
      onPayload: (message: StreamMessage) => this.onPayload(message),
      onCustomerMessage: (text: string) => this.write(`${text}\n`),
      onClosed: (closed: { output: string }) => {
        this.write(channelClosedMessage(sessionId, closed.output));
        this.finish({ kind: 'closed', exitCode: this.exitCode });
      },
      onTimedOut: () => {
        this.write(sessionTimedOutMessage(sessionId));
        this.finish({ kind: 'timed-out' });
      },
      onFailed: (error: Error) =>
        this.finish({ kind: 'failed', stage: this.started ? 'session' : 'connect', error }),
    };
    if (options.attached !== undefined) {
      this.connection = options.attached.connection;
      options.attached.listeners.bind(listener);
      return;
    }
    this.connection = new SessionConnection({
      start: options.start,
      clientId: options.clientId,
      clientVersion: options.clientVersion,
      dial: options.dial,
      resume: options.resume,
      retry: options.retry ?? createPluginRetryPolicy(),
      environment: options.environment ?? createNodeEnvironment(),
      supportedSessionTypes: SHELL_SESSION_TYPES,
      listener,
    });
  }

  start(): void {
    if (this.options.attached !== undefined) {
      this.startTerminal();
      return;
    }
    this.connection
      .open()
      .then(() => this.connection.ready)
      .then(
        () => this.startTerminal(),
        (error: unknown) =>
          this.finish({
            kind: 'failed',
            stage: 'connect',
            error: error instanceof Error ? error : new Error(String(error)),
          }),
      );
  }

  private onPayload(message: StreamMessage): boolean {
    if (message.payloadType === PayloadType.ExitCode && this.options.exitCodes === 'collect') {
      try {
        this.exitCode = parseExitCodePayload(message.payload);
      } catch {
        // Not a valid exit code: show it instead, as AWS's plugin shows every payload.
        return this.writeOutput(message.payload);
      }
      return true;
    }
    // AWS's plugin prints every non-handshake payload as it is (Output, StdErr, ExitCode…).
    return this.writeOutput(message.payload);
  }

  private writeOutput(bytes: Uint8Array): boolean {
    if (this.options.io.stdout.writableLength > STDOUT_HIGH_WATER_BYTES) return false;
    this.options.io.stdout.write(bytes);
    return true;
  }

  private write(text: string): void {
    this.options.io.stdout.write(text);
  }

  /** The session handler proper, started once the agent is ready (§4.8 step 5). */
  private startTerminal(): void {
    if (this.finished) return;
    this.started = true;
    const { terminal, signals } = this.options.io;
    terminal.setRaw();
    this.sendSize();
    this.cleanups.push(terminal.onResize(() => this.sendSize()));
    for (const [signal, byte] of Object.entries(SIGNAL_BYTES) as [HostSignal, number][]) {
      this.cleanups.push(signals.on(signal, () => void this.sendInput(Uint8Array.of(byte))));
    }
    this.pumpStdin();
  }

  private sendSize(): void {
    const size = this.options.io.terminal.size() ?? FALLBACK_SIZE;
    if (this.lastSize?.cols === size.cols && this.lastSize.rows === size.rows) return;
    this.lastSize = size;
    this.connection.send(PayloadType.Size, encodeSizePayload(size)).catch(() => undefined);
  }

  private pumpStdin(): void {
    const { stdin } = this.options.io;
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let forward: Uint8Array = bytes;
      let disconnect = false;
      if (this.escape !== undefined) ({ forward, disconnect } = this.escape.feed(bytes));
      // Await each send: while the window is full stdin stays paused, and the kernel's buffer
      // pushes back on whoever writes to us.
      stdin.pause();
      void this.sendInput(forward).then(() => {
        if (disconnect) this.finish({ kind: 'escaped' });
        else if (!this.finished) stdin.resume();
      });
    };
    const onEnd = (): void => void this.onStdinEnd();
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    // EIO when the terminal goes away: nothing more will be typed.
    stdin.once('error', onEnd);
    this.cleanups.push(() => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onEnd);
      stdin.pause();
    });
    stdin.resume();
  }

  /** Sends `bytes` as Output payloads of at most the negotiated size, in order. */
  private async sendInput(bytes: Uint8Array): Promise<void> {
    try {
      for (let offset = 0; offset < bytes.length;) {
        const end = Math.min(bytes.length, offset + this.connection.maxPayloadLength);
        await this.connection.send(PayloadType.Output, bytes.subarray(offset, end));
        offset = end;
      }
    } catch {
      // The channel closed under us; its owner reports why.
    }
  }

  private async onStdinEnd(): Promise<void> {
    if (this.finished) return;
    if (this.options.onStdinEnd === 'send-eot') {
      await this.sendInput(EOT);
      return;
    }
    // Give what was typed last a chance to reach the agent before we leave.
    const deadline = Date.now() + EOF_DRAIN_MS;
    while (!this.finished && this.connection.unacknowledged > 0 && Date.now() < deadline) {
      await new Promise((wake) => setTimeout(wake, EOF_DRAIN_POLL_MS));
    }
    this.finish({ kind: 'stdin-ended' });
  }

  private finish(outcome: ShellSessionOutcome): void {
    if (this.finished) return;
    this.finished = true;
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
    this.connection.close();
    this.options.io.terminal.restore();
    this.resolve(outcome);
  }
}
