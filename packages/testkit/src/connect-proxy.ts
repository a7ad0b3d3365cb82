// An HTTP CONNECT proxy on 127.0.0.1:0, as a private network's egress proxy: it opens a tunnel
// for `CONNECT host:port`, resolving names through its own table (so a test can give the
// server a name only the proxy knows, and a client can reach it through the proxy alone), and
// records every tunnel it opened. Anything but CONNECT is answered 405. With `tls` it is an
// https:// proxy: clients reach it over TLS and tunnel inside that.

import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface ConnectProxy extends AsyncDisposable {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (https:// with `tls`), for HTTPS_PROXY. */
  readonly url: string;
  /** `host:port` of every tunnel opened, in order. */
  readonly tunnels: readonly string[];
  /** `Proxy-Authorization` headers seen, in order ('' when absent). */
  readonly authorizations: readonly string[];
  close(): Promise<void>;
}

export interface ConnectProxyOptions {
  /** Names the proxy resolves itself, e.g. `{ 'openssm.internal': '127.0.0.1' }`. */
  readonly hosts?: Readonly<Record<string, string>>;
  /** Key and certificate (PEM): clients connect over TLS (an https:// proxy). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

const MAX_HEADER_BYTES = 16 * 1024;

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Socket>();
  const onClient = (client: Socket): void => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEADER_BYTES) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const request = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
      if (request === null) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const host = request[1]!.replace(/^\[(.*)\]$/, '$1');
      const port = Number(request[2]);
      authorizations.push(
        lines.find((line) => /^proxy-authorization:/i.test(line))?.replace(/^[^:]+:\s*/, '') ?? '',
      );
      const upstream = createConnection({ host: options.hosts?.[host] ?? host, port });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      let connected = false;
      upstream.once('error', () => {
        // Before the tunnel exists the client gets an answer; after, the tunnel just breaks.
        if (!connected && !client.destroyed) {
          client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
        } else client.destroy();
      });
      upstream.once('connect', () => {
        connected = true;
        tunnels.push(`${request[1]}:${port}`);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
    };
    client.on('data', onData);
  };
  const server =
    options.tls === undefined
      ? createServer(onClient)
      : createTlsServer({ ...options.tls }, onClient);
  // A client that fails the handshake (an untrusted certificate) is not the proxy's problem.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    tunnels,
    authorizations,
    close,
    [Symbol.asyncDispose]: close,
  };
}
