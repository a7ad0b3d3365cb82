// The real process as a Host: used only by the two binaries, so everything below them can run
// in-process under tests with streams and fakes.

import { homedir } from 'node:os';
import { isatty } from 'node:tty';
import type { Writable } from 'node:stream';
import { createNodeTerminal } from '../session/terminal.js';
import { guardTerminal } from '../session/terminal-guard.js';
import type { Host } from './host.js';

export function createProcessHost(): Host {
  // The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22.
  // This package pins a version that supports Node 20 (engines >= 20.19); the operator can do
  // nothing about it, so the line is noise. Set only when the user did not choose.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  // `openssm ls | head -1`: a reader that went away is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  const terminal = createNodeTerminal(() => process.stdin, isatty(0), [
    process.stdout,
    process.stderr,
  ]);
  guardTerminal(terminal, process);
  return {
    args: process.argv.slice(2),
    programPath: process.argv[1] ?? '',
    env: process.env,
    homeDir: homedir(),
    // A getter: touching process.stdin opens it, which verbs that never read it should not do.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    terminal,
    signals: {
      on(signal, listener) {
        process.on(signal, listener);
        return () => process.off(signal, listener);
      },
    },
  };
}

/** Resolves once everything written so far has been handed to the OS (pipes write asynchronously). */
export function flush(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableEnded || stream.destroyed) resolve();
    else stream.write('', () => resolve());
  });
}

/** Flushes stdout and stderr, then exits: pending timers and an open stdin must not keep us alive. */
export async function exitProcess(code: number): Promise<never> {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}
