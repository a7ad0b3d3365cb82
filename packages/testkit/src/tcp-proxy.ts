// A TCP proxy on 127.0.0.1:0 that forwards every connection to a target and can break them all
// at once, as a network failure would — first going dark (bytes in flight are lost), then reset,
// with no goodbye — while it keeps accepting new ones: a test puts it between a client and the
// server and checks that the client recovers.

import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxyTarget {
  readonly host: string;
  readonly port: number;
}

export interface TcpProxy extends AsyncDisposable {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`, for clients that take a URL. */
  readonly url: string;
  /** Connections accepted since the proxy started. */
  readonly accepted: number;
  /** Connection pairs open now. */
  readonly open: number;
  /**
   * Where connections go from now on. A proxy may start without one (to learn its own port
   * before the target exists); connections that arrive while there is none are reset.
   */
  setTarget(target: TcpProxyTarget): void;
  /**
   * The open connections go dark in one direction or both: from now on what is sent that way is
   * read and thrown away, as packets lost on a dead link, until cutAll() resets them. New
   * connections are not affected. `toTarget` loses what clients send (their acknowledgements,
   * say) while they still receive. Returns how many pairs were affected.
   */
  stallAll(direction?: 'both' | 'toTarget' | 'fromTarget'): number;
  /** Bytes thrown away on stalled connections, by direction. */
  readonly dropped: { readonly toTarget: number; readonly fromTarget: number };
  /** Resets every open connection pair, both sides; returns how many there were. */
  cutAll(): number;
  /** Stops listening and resets every open connection. Idempotent. */
  close(): Promise<void>;
}

export async function startTcpProxy(target?: TcpProxyTarget): Promise<TcpProxy> {
  let current = target;
  let accepted = 0;
  let closed = false;
  const dropped = { toTarget: 0, fromTarget: 0 };
  /** [the client's side, the target's side] */
  const pairs = new Set<readonly [Socket, Socket]>();
  /** Sockets whose incoming bytes are thrown away instead of forwarded. */
  const stalled = new WeakSet<Socket>();

  /** Abrupt: both sides get a TCP reset (what is buffered is lost, as on a dead network). */
  const reset = (pair: readonly [Socket, Socket]): void => {
    if (!pairs.delete(pair)) return;
    for (const socket of pair) if (!socket.destroyed) socket.resetAndDestroy();
  };

  // Half-open allowed, so a side that finishes sending can still receive (as without a proxy).
  const server = createServer({ allowHalfOpen: true }, (inbound) => {
    accepted++;
    if (current === undefined || closed) {
      inbound.resetAndDestroy();
      return;
    }
    inbound.setNoDelay(true);
    const outbound = createConnection({
      host: current.host,
      port: current.port,
      allowHalfOpen: true,
    });
    outbound.setNoDelay(true);
    const pair = [inbound, outbound] as const;
    pairs.add(pair);
    // pipe() forwards data and each side's end; a failure on one side resets the other, and a
    // side that is fully closed takes the other down once its writes are flushed.
    for (const [socket, other] of [pair, [outbound, inbound] as const]) {
      socket.on('error', () => reset(pair));
      socket.on('close', () => {
        pairs.delete(pair);
        other.destroySoon();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const stall = (from: Socket, to: Socket, count: (bytes: number) => void): void => {
    if (stalled.has(from)) return;
    stalled.add(from);
    from.unpipe(to);
    from.on('data', (chunk: Buffer) => count(chunk.length)).resume();
  };

  const stallAll = (direction: 'both' | 'toTarget' | 'fromTarget' = 'both'): number => {
    for (const [inbound, outbound] of pairs) {
      if (direction !== 'fromTarget') stall(inbound, outbound, (n) => (dropped.toTarget += n));
      if (direction !== 'toTarget') stall(outbound, inbound, (n) => (dropped.fromTarget += n));
    }
    return pairs.size;
  };

  const cutAll = (): number => {
    const count = pairs.size;
    for (const pair of [...pairs]) reset(pair);
    return count;
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    cutAll();
    await stopped;
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    get dropped() {
      return { ...dropped };
    },
    setTarget(next) {
      current = next;
    },
    stallAll,
    cutAll,
    close,
    [Symbol.asyncDispose]: close,
  };
}
