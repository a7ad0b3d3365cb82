// What the CLI's entry points need from the process, as one injectable object: the real process
// in the binaries (process-host.ts), streams and fakes in tests.

import type { Readable, Writable } from 'node:stream';

/** Environment variables; the plugin deletes the one that carried the StartSession response. */
export type Env = Record<string, string | undefined>;

export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/** The user's terminal: raw mode for the remote shell, and its size. */
export interface Terminal {
  /** True when stdin is a terminal (raw mode applies and `~.` makes sense). */
  readonly isInteractive: boolean;
  /** The size of the terminal output goes to; undefined when there is none. */
  size(): TerminalSize | undefined;
  /** Calls `listener` after the terminal was resized (SIGWINCH); returns the remover. */
  onResize(listener: () => void): () => void;
  /** Raw mode: every byte, Ctrl-C included, goes to the remote side. Idempotent. */
  setRaw(): void;
  /** Back to the mode the terminal had before setRaw. Idempotent, safe on every exit path. */
  restore(): void;
}

/** Signals a shell session turns into bytes for the remote terminal. */
export type HostSignal = 'SIGINT' | 'SIGQUIT' | 'SIGTSTP';

export interface SignalSource {
  /** Handles `signal` instead of its default action until the returned remover runs. */
  on(signal: NodeJS.Signals, listener: () => void): () => void;
}

export interface Host {
  /** Arguments after the program name (`process.argv.slice(2)`). */
  readonly args: readonly string[];
  /** Where the program was started from (`process.argv[1]`): sibling executables live beside it. */
  readonly programPath: string;
  readonly env: Env;
  readonly homeDir: string;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly terminal: Terminal;
  readonly signals: SignalSource;
}
