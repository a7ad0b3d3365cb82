// The data channel's WebSocket, client side: dialling a StreamUrl (ws:// or wss:// with the CAs
// the user trusts), the channel engine's Transport over it, and the keep-alive pings AWS's plugin
// sends (ssm-wire §4.1) so idle NAT and proxy entries stay open.

import type { IncomingMessage } from 'node:http';
import type { Transport } from '@openssm/channel';
import { createTickCork, type Corkable } from '@openssm/protocol';
import { WebSocket, type RawData } from 'ws';

/** Opens a WebSocket to `url`; resolves once it is open. */
export type Dialer = (url: string) => Promise<WebSocket>;

export interface DialerOptions {
  /** Trusted CAs for wss://; undefined keeps Node's (with NODE_EXTRA_CA_CERTS). */
  readonly ca?: readonly string[] | undefined;
  readonly userAgent: string;
  /** AWS's plugin uses Go's default 45 s; a dead gateway should not hold the user that long. */
  readonly handshakeTimeoutMs?: number;
}

/** The TCP or TLS socket under each WebSocket a dialer opened, seen on its upgrade response. */
const underlying = new WeakMap<WebSocket, Corkable>();

export function createDialer(options: DialerOptions): Dialer {
  return (url) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url, {
        // Compression costs ×20 in throughput and memory for terminal traffic (DESIGN.md §4).
        perMessageDeflate: false,
        handshakeTimeout: options.handshakeTimeoutMs ?? 20_000,
        followRedirects: false,
        headers: { 'User-Agent': options.userAgent },
        ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
      });
      socket.once('upgrade', (response: IncomingMessage) =>
        underlying.set(socket, response.socket),
      );
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      socket.on('error', fail);
      socket.once('unexpected-response', (request, response) => {
        fail(new Error(`the gateway refused the data channel: HTTP ${response.statusCode}`));
        request.destroy();
      });
      socket.once('open', () => {
        settled = true;
        socket.off('error', fail);
        resolve(socket);
      });
    });
}

/** One AgentMessage per binary WebSocket message; a socket that is no longer open drops it. */
export class WebSocketTransport implements Transport {
  /** Frames sent in one turn of the event loop leave in one write (see createTickCork). */
  private readonly cork: () => void;

  constructor(private readonly socket: WebSocket) {
    const raw = underlying.get(socket);
    this.cork =
      raw === undefined
        ? () => undefined
        : createTickCork(raw, (callback) => process.nextTick(callback));
  }

  send(bytes: Uint8Array): void {
    // The engine keeps every message until it is acknowledged and resends it on the next socket,
    // so a send into a closing socket loses nothing.
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.cork();
    this.socket.send(bytes, { binary: true });
  }
}

/**
 * AWS's plugin pings every 5 minutes and never checks for the answer, so a link that goes
 * silent without a reset (NAT timeout, network change) hangs until the kernel gives up. We ping
 * every 30 s and drop the socket when a whole interval passed without a pong or a message: the
 * session then resumes on a new connection.
 */
export const KEEPALIVE_INTERVAL_MS = 30_000;

/** Starts the pings; the returned function stops them (also done when the socket closes). */
export function startKeepalive(socket: WebSocket, intervalMs = KEEPALIVE_INTERVAL_MS): () => void {
  let heard = true;
  const onHeard = (): void => {
    heard = true;
  };
  socket.on('pong', onHeard);
  socket.on('message', onHeard);
  const ping = (): void => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (!heard) {
      socket.terminate();
      return;
    }
    heard = false;
    socket.ping('keepalive');
  };
  ping();
  const timer = setInterval(ping, intervalMs);
  // A ping alone must never keep the process alive.
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    socket.off('pong', onHeard);
    socket.off('message', onHeard);
  };
  socket.once('close', stop);
  return stop;
}

/** The bytes of a `ws` message in the shape the engine takes. */
export function rawDataBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
