// Joins one smux stream to one TCP socket (or anything shaped like Node's net.Socket), both
// ways, with backpressure and never a sleep: the socket is paused while the channel has not
// taken its last chunk, and what the socket has not written yet counts as the stream's backlog.
// Used the same way by the agent (towards the destination) and the client (the local listener).

import type { SmuxStream } from './smux-session.js';
import { createTickCork, type Corkable } from '@openssm/protocol';

/** The part of Node's net.Socket this needs, typed without Node so the channel stays portable. */
export interface SocketLike {
  write(data: Uint8Array): boolean;
  /** Half-close: no more writes; the peer still sends. */
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  readonly writableLength: number;
  on(event: string, listener: (...args: never[]) => void): unknown;
  cork?: Corkable['cork'];
  uncork?: Corkable['uncork'];
}

export interface PipeStats {
  /** Bytes read from the socket and sent into the stream. */
  bytesFromSocket: number;
  /** Bytes received on the stream and written to the socket. */
  bytesToSocket: number;
}

export interface PipeOptions {
  /** Called once, when the socket closed (stats final as far as this socket is concerned). */
  readonly onClosed?: (stats: PipeStats, error: Error | undefined) => void;
  /** The socket wrote out what it held: the channel may hand over what it refused. */
  readonly onDrain?: () => void;
  /**
   * Runs a callback once the current turn's work is done (process.nextTick): given, the stream
   * data written to the socket in one turn — AWS's peers send 1 KiB messages, dozens per read —
   * leaves in one write instead of a system call each.
   */
  readonly defer?: (callback: () => void) => void;
}

/**
 * Pipes `stream` ⇄ `socket` until both directions ended or either side failed. The socket must
 * have been created with allowHalfOpen, so one direction can end before the other.
 */
export function pipeStreamToSocket(
  stream: SmuxStream,
  socket: SocketLike,
  options: PipeOptions = {},
): PipeStats {
  const stats: PipeStats = { bytesFromSocket: 0, bytesToSocket: 0 };
  let finished = false;
  let socketError: Error | undefined;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    options.onClosed?.(stats, socketError);
  };
  const { cork, uncork } = socket;
  const beforeWrite =
    options.defer !== undefined && cork !== undefined && uncork !== undefined
      ? createTickCork(
          { cork: () => cork.call(socket), uncork: () => uncork.call(socket) },
          options.defer,
        )
      : undefined;
  stream.attach(
    {
      onData: (data) => {
        stats.bytesToSocket += data.length;
        beforeWrite?.();
        socket.write(data);
      },
      onEnd: () => socket.end(),
      onClose: () => {
        socket.destroy();
        finish();
      },
    },
    () => socket.writableLength,
  );
  socket.on('data', (chunk: Uint8Array) => {
    stats.bytesFromSocket += chunk.length;
    socket.pause();
    stream.write(chunk).then(
      () => socket.resume(),
      () => socket.destroy(),
    );
  });
  socket.on('end', () => stream.end());
  if (options.onDrain !== undefined) socket.on('drain', options.onDrain);
  socket.on('error', (error: Error) => {
    socketError = error;
  });
  socket.on('close', () => {
    // A reset or destroyed socket: the stream ends from our side; the peer closes its half.
    stream.end();
    finish();
  });
  return stats;
}
