// The local terminal of a shell session: raw mode while the remote shell owns the keyboard, the
// window size for Size payloads, and SIGWINCH. Restoring is idempotent so every exit path may call it.

import type { Readable, Writable } from 'node:stream';
import type { ReadStream, WriteStream } from 'node:tty';
import type { Terminal, TerminalSize } from '../host/host.js';

function isTtyInput(stream: Readable): stream is Readable & ReadStream {
  return (stream as Partial<ReadStream>).isTTY === true && 'setRawMode' in stream;
}

function isTtyOutput(stream: Writable): stream is Writable & WriteStream {
  return (stream as Partial<WriteStream>).isTTY === true && 'getWindowSize' in stream;
}

/**
 * `stdin` is a getter so that commands which never read the keyboard (`openssm ls`) do not make
 * Node open it. The size comes from the first output that is a terminal: with `> file` on
 * stdout the remote shell still gets the size of the window on stderr.
 */
export function createNodeTerminal(
  stdin: () => Readable,
  stdinIsTty: boolean,
  outputs: readonly Writable[],
): Terminal {
  const sizeSource = outputs.find(isTtyOutput);
  let rawInput: (Readable & ReadStream) | undefined;
  return {
    isInteractive: stdinIsTty,
    size(): TerminalSize | undefined {
      if (sizeSource === undefined) return undefined;
      const [cols, rows] = sizeSource.getWindowSize();
      return cols > 0 && rows > 0 ? { cols, rows } : undefined;
    },
    onResize(listener) {
      if (sizeSource === undefined) return () => undefined;
      sizeSource.on('resize', listener);
      return () => sizeSource.off('resize', listener);
    },
    setRaw() {
      if (!stdinIsTty || rawInput !== undefined) return;
      const input = stdin();
      if (!isTtyInput(input)) return;
      input.setRawMode(true);
      rawInput = input;
    },
    restore() {
      const input = rawInput;
      if (input === undefined) return;
      rawInput = undefined;
      try {
        input.setRawMode(false);
      } catch {
        // The terminal is gone (SIGHUP, closed pty): there is nothing left to restore.
      }
    },
  };
}
