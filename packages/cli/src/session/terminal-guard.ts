// Puts the terminal back on every way out of the process — normal exit, uncaught exception,
// SIGTERM, SIGHUP — so a crashed or killed session never leaves the user's shell in raw mode
// (AWS's plugin skips its restore on some paths, e.g. stdin EOF).

import type { Terminal } from '../host/host.js';

const FATAL_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

/** The part of `process` the guard uses, so tests can hand in an EventEmitter. */
export interface GuardedProcess {
  readonly pid: number;
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
  kill(pid: number, signal: string): unknown;
  listenerCount(event: string): number;
}

/** Installs the hooks; the returned function removes them. */
export function guardTerminal(terminal: Terminal, target: GuardedProcess): () => void {
  const restore = (): void => terminal.restore();
  const onSignal = new Map<string, () => void>();
  for (const signal of FATAL_SIGNALS) {
    const listener = (): void => {
      restore();
      target.off(signal, listener);
      // Someone else handles it (`openssm server` forwards SIGTERM to its child and waits):
      // dying here would cut that short. Otherwise die of the same signal, as if never caught,
      // so the parent sees what happened.
      if (target.listenerCount(signal) === 0) target.kill(target.pid, signal);
    };
    onSignal.set(signal, listener);
    target.on(signal, listener);
  }
  target.on('exit', restore);
  target.on('uncaughtExceptionMonitor', restore);
  return () => {
    target.off('exit', restore);
    target.off('uncaughtExceptionMonitor', restore);
    for (const [signal, listener] of onSignal) target.off(signal, listener);
  };
}
