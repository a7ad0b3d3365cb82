// One shell-type session on the agent (Standard_Stream, InteractiveCommands,
// NonInteractiveCommands; ssm-wire §4.12, §8.3): starts the process as the right user, streams
// its output into the data channel, applies keystrokes, resizes and TerminateSession from the
// client, and reports how it ended once the channel has delivered the output.

import type { DataChannel, StreamMessage } from '@openssm/channel';
import {
  PayloadFlag,
  PayloadType,
  encodeExitCodePayload,
  parseFlagPayload,
  parseSizePayload,
} from '@openssm/protocol';
import { createLaunchPlan, type ShellSessionType } from './launch-plan.js';
import { OutputPump } from './output-pump.js';
import { spawnPipes } from './pipe-process.js';
import { killSession } from './process-tree.js';
import { resolveSessionUser } from './run-as.js';
import { SessionError } from './session-error.js';
import type { LaunchPlan, ProcessExit, ProcessSpawner, SessionProcess } from './session-process.js';
import { spawnTerminal } from './terminal-process.js';
import { createSystemUserDirectory, type UserDirectory } from './user-directory.js';

/**
 * AWS's agent waits up to 2 s for its outgoing buffer to empty before it closes (§4.11); we
 * give up after that long without an acknowledgement (see waitForDrain).
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 2000;
/** Time between the hangup and SIGKILL on terminate(): enough for shells to save history. */
export const DEFAULT_TERMINATE_GRACE_MS = 2000;
/** Size before the client's first Size message (AWS's pty has 0×0, which tools read as 80×24). */
const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;
/** A terminal size is two uint16 (struct winsize); anything larger is not a real terminal. */
const MAX_TERMINAL_DIMENSION = 0xffff;
const DRAIN_POLL_MS = 10;
/** AWS's pattern for NonInteractiveCommands separator prefixes (shell.go). */
const SEPARATOR_PREFIX_PATTERN = /^[0-9a-zA-Z\r\n_:-]{0,30}$/;
/** Keystrokes a NonInteractiveCommands session turns into signals (appconfig ByteControlSignalsLinux). */
const CONTROL_SIGNALS: ReadonlyMap<number, NodeJS.Signals> = new Map([
  [0x03, 'SIGINT'],
  [0x1c, 'SIGQUIT'],
]);

export interface ShellSessionOptions {
  readonly channel: DataChannel;
  readonly sessionType: ShellSessionType;
  /** InteractiveCommands / NonInteractiveCommands: the document's `linux.commands`. */
  readonly command?: string;
  /** Session document `inputs.shellProfile`; only Standard_Stream runs it, as AWS does. */
  readonly shellProfile?: { readonly linux?: string };
  /** Run as this user (the agent must be root unless it is the agent's own user). */
  readonly runAs?: { readonly user: string };
  /**
   * The environment the session starts from (the composition root decides what of the agent's
   * own to pass on); HOME, USER, LOGNAME, SHELL, TERM and LANG are set on top. Default: PATH only.
   */
  readonly environment?: Readonly<Record<string, string>>;
  readonly cols?: number;
  readonly rows?: number;
  /** NonInteractiveCommands `separateOutputStream`: stderr as StdErr, then an ExitCode payload. */
  readonly separateOutputStream?: {
    readonly stdoutPrefix?: string;
    readonly stderrPrefix?: string;
  };
  /** Default: a PTY (node-pty) or pipes (child_process), as the launch plan says. */
  readonly spawn?: ProcessSpawner;
  readonly users?: UserDirectory;
  readonly drainTimeoutMs?: number;
  readonly terminateGraceMs?: number;
  /** Something from the client was ignored (an invalid Size, an unknown flag). */
  readonly onWarning?: (message: string) => void;
}

export interface ShellSessionResult {
  /** Null when a signal ended the process. */
  readonly exitCode: number | null;
  readonly signal?: number;
  /** True when terminate() (or a TerminateSession flag) ended the session. */
  readonly terminated: boolean;
}

type State = 'idle' | 'starting' | 'running' | 'ending' | 'ended' | 'failed';

const defaultSpawner: ProcessSpawner = (plan) =>
  plan.terminal ? spawnTerminal(plan) : spawnPipes(plan);

export class ShellSession {
  private state: State = 'idle';
  private process: SessionProcess | undefined;
  private plan: LaunchPlan | undefined;
  private terminating = false;
  private killing: Promise<void> = Promise.resolve();
  private readonly outcome = deferred<ShellSessionResult>();

  constructor(private readonly options: ShellSessionOptions) {}

  /**
   * Settles when the session is over and its output was delivered (or the drain timed out);
   * rejects with the error of a failed start().
   */
  get done(): Promise<ShellSessionResult> {
    return this.outcome.promise;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts the process; rejects with SessionError when it cannot (a refused RunAs, say). */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('ShellSession.start() may be called once');
    this.state = 'starting';
    try {
      const { sessionType, separateOutputStream } = this.options;
      const separate =
        sessionType === 'NonInteractiveCommands' && separateOutputStream !== undefined;
      if (separate) assertPrefixes(separateOutputStream);
      const users = this.options.users ?? createSystemUserDirectory();
      const { user, switchUser } = await resolveSessionUser(this.options.runAs, users);
      if (this.terminating) {
        // terminate() came while we looked the user up: there is nothing to kill.
        this.settle({ exitCode: null });
        return;
      }
      const plan = createLaunchPlan({
        sessionType,
        user,
        switchUser,
        cols: this.options.cols ?? DEFAULT_COLS,
        rows: this.options.rows ?? DEFAULT_ROWS,
        separateOutputStream: separate,
        ...(this.options.command === undefined ? {} : { command: this.options.command }),
        ...(this.options.environment === undefined
          ? {}
          : { environment: this.options.environment }),
      });
      this.attach(plan, this.spawn(plan));
    } catch (error) {
      this.state = 'failed';
      this.outcome.reject(error);
      throw error;
    }
  }

  /**
   * The session's part of the data channel's onStreamMessage (after the handshake took its
   * messages). False before the process runs and while it has too much unread input: the client
   * resends, as with AWS's agent.
   */
  handleStreamMessage(message: StreamMessage): boolean {
    if (this.state === 'idle' || this.state === 'starting') return false;
    if (this.state !== 'running') return true; // over: accept and drop
    switch (message.payloadType) {
      case PayloadType.Output:
        // Not taken while the program has a full queue of unread input: the client resends.
        return this.handleInput(message.payload);
      case PayloadType.Size:
        this.handleSize(message.payload);
        break;
      case PayloadType.Flag:
        this.handleFlag(message.payload);
        break;
      default:
        // AWS's shell plugin ignores every other payload type.
        break;
    }
    return true;
  }

  /**
   * Ends the session: hangs up every process it started, SIGKILLs what is left after the grace
   * period, and resolves `done` once the shell is gone. No ExitCode is sent (AWS sends none on
   * cancel either).
   */
  terminate(): Promise<ShellSessionResult> {
    if (this.terminating || this.state === 'ended' || this.state === 'failed') return this.done;
    this.terminating = true;
    if (this.state === 'idle') {
      this.settle({ exitCode: null });
    } else if (this.state === 'running' && this.process?.pid !== undefined) {
      const grace = this.options.terminateGraceMs ?? DEFAULT_TERMINATE_GRACE_MS;
      this.killing = killSession(this.process.pid, grace).catch((error: unknown) =>
        this.warn(`terminating the session failed: ${String(error)}`),
      );
    }
    return this.done;
  }

  private spawn(plan: LaunchPlan): SessionProcess {
    try {
      return (this.options.spawn ?? defaultSpawner)(plan);
    } catch (error) {
      throw new SessionError('SpawnFailed', `Failed to start pty: ${String(error)}`, {
        cause: error,
      });
    }
  }

  private attach(plan: LaunchPlan, process: SessionProcess): void {
    this.plan = plan;
    this.process = process;
    const { channel, separateOutputStream } = this.options;
    const source = sharedPause(process);
    const onError = (error: unknown): void =>
      this.warn(`output dropped, the channel refused it: ${String(error)}`);
    const stdout = new OutputPump({
      channel,
      payloadType: PayloadType.Output,
      source,
      onError,
      ...(plan.separateStreams ? { prefix: separateOutputStream?.stdoutPrefix ?? '' } : {}),
    });
    const stderr = plan.separateStreams
      ? new OutputPump({
          channel,
          payloadType: PayloadType.StdErr,
          source,
          onError,
          prefix: separateOutputStream?.stderrPrefix ?? '',
        })
      : stdout;
    process.onData((bytes, stream) => (stream === 'stderr' ? stderr : stdout).push(bytes));
    process.onExit((exit) => void this.finish(exit, [stdout, stderr]));
    this.state = 'running';
    const profile = this.options.shellProfile?.linux ?? '';
    if (this.options.sessionType === 'Standard_Stream' && profile.trim() !== '') {
      // AWS types the profile into the shell as its first input line (shell_unix.go
      // `runShellProfile`): it is echoed like typed input and a failing line does not end the
      // session. The client's keystrokes can only follow it.
      process.write(new TextEncoder().encode(`${profile}\n`));
    }
  }

  private async finish(exit: ProcessExit, pumps: readonly OutputPump[]): Promise<void> {
    this.state = 'ending';
    const { channel } = this.options;
    // Everything below is queued behind the output, in order; nothing here waits for room.
    for (const pump of pumps) pump.flush();
    if (!this.terminating) {
      // Only NonInteractiveCommands with separate output streams reports its exit code: that is
      // the one path of AWS's agent that calls sendExitCode (shell.go
      // `processCommandsWithOutputStreamSeparate`); the PTY path (`executeCommandsWithPty`,
      // Standard_Stream and InteractiveCommands) never does, and AWS's plugin would print it.
      // Go's ExitCode() is -1 for a process ended by a signal.
      if (this.plan?.separateStreams === true) {
        sendQuietly(channel, PayloadType.ExitCode, encodeExitCodePayload(exit.exitCode ?? -1));
      }
      if (exit.spawnError !== undefined) {
        const text = `Error occurred starting the command: ${exit.spawnError}\n`;
        sendQuietly(channel, PayloadType.StdErr, new TextEncoder().encode(text));
      }
    }
    await this.killing;
    await waitForDrain(channel, this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    this.settle({ exitCode: exit.exitCode, ...(exit.signal ? { signal: exit.signal } : {}) });
  }

  private handleInput(payload: Uint8Array): boolean {
    const process = this.process!;
    if (this.plan?.terminal === true) return process.write(payload);
    // No terminal: only the interrupt keys mean something, as signals (AWS takes the first).
    for (const byte of payload) {
      const signal = CONTROL_SIGNALS.get(byte);
      if (signal !== undefined) {
        process.signal(signal);
        break;
      }
    }
    return true;
  }

  private handleSize(payload: Uint8Array): void {
    if (this.plan?.terminal !== true) return; // AWS ignores Size without a terminal
    let size;
    try {
      size = parseSizePayload(payload);
    } catch (error) {
      this.warn(`ignored an invalid Size payload: ${String(error)}`);
      return;
    }
    const { cols, rows } = size;
    if (cols === 0 || rows === 0) return; // the plugin's "size unknown"
    if (cols > MAX_TERMINAL_DIMENSION || rows > MAX_TERMINAL_DIMENSION) {
      this.warn(`ignored a terminal size of ${cols}×${rows}`);
      return;
    }
    try {
      this.process!.resize(cols, rows);
    } catch (error) {
      // The terminal closed while the message was on its way.
      this.warn(`resizing the terminal failed: ${String(error)}`);
    }
  }

  private handleFlag(payload: Uint8Array): void {
    let flag: number;
    try {
      flag = parseFlagPayload(payload);
    } catch (error) {
      this.warn(`ignored an invalid Flag payload: ${String(error)}`);
      return;
    }
    if (flag === PayloadFlag.TerminateSession) void this.terminate();
    else this.warn(`ignored flag ${flag}, which means nothing to a shell session`);
  }

  private settle(result: { exitCode: number | null; signal?: number }): void {
    this.state = 'ended';
    this.outcome.resolve({ ...result, terminated: this.terminating });
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }
}

function assertPrefixes(prefixes: NonNullable<ShellSessionOptions['separateOutputStream']>): void {
  for (const [name, value] of [
    ['stdoutSeparatorPrefix', prefixes.stdoutPrefix],
    ['stderrSeparatorPrefix', prefixes.stderrPrefix],
  ] as const) {
    if (value !== undefined && !SEPARATOR_PREFIX_PATTERN.test(value)) {
      throw new SessionError('SeparatorPrefixInvalid', `invalid ${name} ${value}`);
    }
  }
}

/** One pause for several pumps of the same process: paused while any of them wants it. */
function sharedPause(process: SessionProcess): { pause(): void; resume(): void } {
  let holds = 0;
  return {
    pause() {
      if (holds++ === 0) process.pause();
    },
    resume() {
      if (--holds === 0) process.resume();
    },
  };
}

function sendQuietly(channel: DataChannel, payloadType: number, payload: Uint8Array): void {
  // A rejection means the channel closed: nobody is left to tell.
  channel.send(payloadType, payload).catch(() => undefined);
}

/**
 * Waits until the client acknowledged everything or the channel closed. AWS's agent gives up
 * after 2 s in all (PrepareToCloseChannel) and drops the rest; we wait while acknowledgements
 * keep coming and give up after `idleTimeoutMs` without one, so a slow client still gets the
 * end of a long output and a gone one costs 2 s.
 */
export async function waitForDrain(channel: DataChannel, idleTimeoutMs: number): Promise<void> {
  let pending = channel.queued + channel.inFlight;
  let deadline = Date.now() + idleTimeoutMs;
  while (!channel.isClosed && pending > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    const now = channel.queued + channel.inFlight;
    if (now < pending) deadline = Date.now() + idleTimeoutMs;
    pending = now;
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed start() is reported by start() itself; `done` must not add an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
