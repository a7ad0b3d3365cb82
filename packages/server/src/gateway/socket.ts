// The few things the gateway does with a WebSocket, behind an interface so the relay logic can
// be tested without sockets and the transport can change (Redis fan-out in scale-out mode).

import type { Duplex } from 'node:stream';
import { createTickCork } from '@openssm/protocol';
import type { WebSocket } from 'ws';

export interface ChannelSocket {
  send(bytes: Uint8Array): void;
  /** Closes with a WebSocket close code and a short reason (≤ 123 bytes). */
  close(code: number, reason: string): void;
  /** The peer's IP address, when the transport knows it (connection records). */
  readonly remoteAddress?: string;
}

/** Bytes waiting in a socket's buffer above which a slow peer is disconnected, not buffered. */
export const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export function wrapWebSocket(
  socket: WebSocket,
  remoteAddress?: string,
  raw?: Pick<Duplex, 'cork' | 'uncork'>,
): ChannelSocket {
  // Frames relayed in one turn of the event loop (a batch just read from the other side) leave
  // in one write: one TLS record and one system call instead of one per frame.
  const cork =
    raw === undefined
      ? () => undefined
      : createTickCork(raw, (callback) => process.nextTick(callback));
  return {
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
    send(bytes) {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.close(1008, 'peer too slow');
        return;
      }
      cork();
      socket.send(bytes, { binary: true });
    },
    close(code, reason) {
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
        socket.close(code, reason.slice(0, 120));
      }
    },
  };
}
