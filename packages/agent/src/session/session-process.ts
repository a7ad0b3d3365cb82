// What a shell session needs from the process it runs — a PTY (Standard_Stream,
// InteractiveCommands) or plain pipes (NonInteractiveCommands) — so the session logic is the
// same for both and tests can drive it with a fake.

import type { SessionUser } from './user-directory.js';

export type OutputStream = 'stdout' | 'stderr';

export interface ProcessExit {
  /** Null when a signal ended the process. */
  readonly exitCode: number | null;
  readonly signal?: number;
  /** Set when the process could not be started; exitCode is then 1. */
  readonly spawnError?: string;
}

export interface SessionProcess {
  readonly pid: number | undefined;
  /** Output in order; a PTY only ever reports 'stdout'. */
  onData(listener: (bytes: Uint8Array, stream: OutputStream) => void): void;
  /** Called once, after the last onData. */
  onExit(listener: (exit: ProcessExit) => void): void;
  /**
   * Keystrokes for a PTY; ignored by a process without a terminal. False when the program has
   * too much unread input to take these bytes now (none of them were taken).
   */
  write(bytes: Uint8Array): boolean;
  resize(cols: number, rows: number): void;
  /** Stops reading output (backpressure); output arriving already may still be reported. */
  pause(): void;
  resume(): void;
  /** Sends `signal` to the main process only. */
  signal(signal: NodeJS.Signals): void;
}

/** How to start the session's process; built by createLaunchPlan. */
export interface LaunchPlan {
  /** A PTY (true) or pipes with stdin closed (false). */
  readonly terminal: boolean;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly cols: number;
  readonly rows: number;
  /** Set when the process must run as this user instead of the agent's. */
  readonly switchTo?: SessionUser;
  /** Pipes only: report stderr apart from stdout (else both arrive as stdout, in order). */
  readonly separateStreams: boolean;
}

export type ProcessSpawner = (plan: LaunchPlan) => SessionProcess;
