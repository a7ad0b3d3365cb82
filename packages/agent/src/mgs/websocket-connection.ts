// Opens the agent's WebSockets (control and data channels) with a SigV4-signed upgrade and keeps
// them honest: a `keepalive` ping every 54 s like AWS's agent, and a connection that shows no
// sign of life (no pong, no message) for 114 s is dropped so its owner reconnects (ssm-wire §4.1).

import type { IncomingMessage } from 'node:http';
import { createTickCork, type Corkable } from '@openssm/protocol';
import { WebSocket, type RawData } from 'ws';
import { AgentError } from '../agent-error.js';
import type { CreateConnection } from '../net/tls-policy.js';

/** AWS's agent gives the WebSocket handshake the same 15 s as its REST calls. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export interface OpenWebSocketOptions {
  readonly url: URL;
  /** The signed upgrade headers (host, authorization, x-amz-*). */
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: CreateConnection | undefined;
  /** Largest message accepted, checked by ws before it buffers one. */
  readonly maxPayload: number;
}

/** The TCP or TLS socket under each open WebSocket, seen on its upgrade response. */
const underlying = new WeakMap<WebSocket, Corkable>();

/**
 * The function to call before each send on `socket`: frames sent in one turn of the event loop
 * leave in one write (see createTickCork). A no-op for a socket opened elsewhere.
 */
export function corkPerTick(socket: WebSocket): () => void {
  const raw = underlying.get(socket);
  return raw === undefined
    ? () => undefined
    : createTickCork(raw, (callback) => process.nextTick(callback));
}

/** Resolves with the open socket; rejects with NetworkError (with the HTTP status when refused). */
export function openWebSocket(options: OpenWebSocketOptions): Promise<WebSocket> {
  const { url } = options;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers: options.headers,
      // Measured: permessage-deflate costs ×20 throughput (DESIGN.md §4); AWS's agent offers none.
      perMessageDeflate: false,
      maxPayload: options.maxPayload,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      followRedirects: false,
      // TLS to the server, or a proxy tunnel (ws:// servers behind HTTP_PROXY).
      ...(options.tls !== undefined ? { createConnection: options.tls as never } : {}),
    });
    const where = `${url.origin}${url.pathname}`;
    socket.once('upgrade', (response: IncomingMessage) => underlying.set(socket, response.socket));
    const cleanup = (): void => {
      socket.off('open', onOpen);
      socket.off('error', onError);
      socket.off('unexpected-response', onRefused);
    };
    const onOpen = (): void => {
      cleanup();
      // Errors after this point arrive as 'close'; keep one listener so none is unhandled.
      socket.on('error', () => undefined);
      resolve(socket);
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.on('error', () => undefined);
      reject(
        error instanceof AgentError
          ? error
          : new AgentError('NetworkError', `cannot open ${where}: ${error.message}`, {
              cause: error,
            }),
      );
    };
    const onRefused = (_request: unknown, response: { statusCode?: number }): void => {
      cleanup();
      socket.on('error', () => undefined);
      const status = response.statusCode ?? 0;
      socket.terminate();
      reject(
        new AgentError('NetworkError', `${where} refused the WebSocket with HTTP ${status}`, {
          httpStatus: status,
        }),
      );
    };
    socket.on('open', onOpen);
    socket.on('error', onError);
    socket.on('unexpected-response', onRefused);
  });
}

export interface KeepAliveOptions {
  readonly pingIntervalMs: number;
  /** Silence (no pong, no message) after which the connection counts as dead. */
  readonly timeoutMs: number;
  readonly onTimeout: () => void;
}

/** Pings `socket` and watches for silence; returns the function that stops both. */
export function keepAlive(socket: WebSocket, options: KeepAliveOptions): () => void {
  let lastSeen = Date.now();
  const seen = (): void => {
    lastSeen = Date.now();
  };
  socket.on('pong', seen);
  socket.on('ping', seen);
  socket.on('message', seen);
  const pinger = setInterval(() => {
    if (socket.readyState === WebSocket.OPEN) socket.ping('keepalive');
  }, options.pingIntervalMs);
  let watchdog: NodeJS.Timeout | undefined;
  // One timer for the whole connection, moved only when it fires: no timer work per message.
  const watch = (delay: number): void => {
    watchdog = setTimeout(() => {
      const silent = Date.now() - lastSeen;
      if (silent >= options.timeoutMs) {
        stop();
        options.onTimeout();
      } else {
        watch(options.timeoutMs - silent);
      }
    }, delay);
  };
  watch(options.timeoutMs);
  const stop = (): void => {
    clearInterval(pinger);
    clearTimeout(watchdog);
    socket.off('pong', seen);
    socket.off('ping', seen);
    socket.off('message', seen);
  };
  return stop;
}

/** A ws message as one Uint8Array view (ws hands Buffers, fragments or ArrayBuffers). */
export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
