// `openssm forward`'s engine: one session of OpenSSM-StartMultiPortForwardingSession carrying
// every local listener (and a SOCKS5 proxy) at once; each accepted connection becomes an smux
// stream that names its destination (docs/decisions/0009). A dropped link is resumed by the
// session connection underneath, and open connections carry on once it is back.

import { createServer, type Server, type Socket } from 'node:net';
import type { Environment } from '@openssm/channel';
import {
  PayloadFlag,
  PayloadType,
  SessionType,
  encodeFlagPayload,
  type StreamDestination,
} from '@openssm/protocol';
import type { Host } from '../host/host.js';
import { ListenerSwitch } from '../session/listener-switch.js';
import { createNodeEnvironment } from '../session/node-environment.js';
import { createPluginRetryPolicy, type RetryPolicy } from '../session/retry-policy.js';
import { SessionConnection, type SessionStart } from '../session/session-connection.js';
import { channelClosedMessage, sessionTimedOutMessage } from '../session/session-messages.js';
import type { Dialer } from '../session/websocket-transport.js';
import { formatDestination, type ForwardSpec } from './forward-spec.js';
import { MuxClient, type ConnectionSummary } from './port-client.js';
import { readSocksRequest, replyBytes, socksReplyFor, SocksReply } from './socks5.js';

/** `properties.type` of OpenSSM-StartMultiPortForwardingSession. */
export const MULTI_PORT_FORWARDING = 'OpenSSMMultiPortForwarding';

export interface ForwardSessionOptions {
  readonly start: SessionStart;
  readonly clientId: string;
  readonly clientVersion: string;
  readonly forwards: readonly ForwardSpec[];
  readonly socksPort?: number;
  /** Where listeners bind; 127.0.0.1 unless asked (anyone who reaches it uses the session). */
  readonly bindAddress: string;
  readonly io: Pick<Host, 'stderr' | 'signals'>;
  readonly dial: Dialer;
  readonly resume: () => Promise<string | undefined>;
  readonly retry?: RetryPolicy;
  readonly environment?: Environment;
  /** Called once every listener is up, with the ports they got (tests use the 0 ports). */
  readonly onListening?: (ports: readonly number[], socksPort: number | undefined) => void;
}

export type ForwardOutcome =
  | { readonly kind: 'closed' }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'failed'; readonly stage: 'connect' | 'session'; readonly error: Error };

export async function runForwardSession(options: ForwardSessionOptions): Promise<ForwardOutcome> {
  const { start } = options;
  const listeners = new ListenerSwitch();
  const connection = new SessionConnection({
    start,
    clientId: options.clientId,
    clientVersion: options.clientVersion,
    dial: options.dial,
    resume: options.resume,
    retry: options.retry ?? createPluginRetryPolicy(),
    environment: options.environment ?? createNodeEnvironment(),
    supportedSessionTypes: [SessionType.Port],
    listener: listeners,
  });
  try {
    await connection.open();
    const handshake = await listeners.readyOrEnded(connection.ready);
    const properties = handshake.properties;
    const type =
      properties !== null && typeof properties === 'object' && !Array.isArray(properties)
        ? (properties as Readonly<Record<string, unknown>>)['type']
        : undefined;
    if (type !== MULTI_PORT_FORWARDING) {
      throw new Error(
        `the session's document is not a multi-port forwarding document (type ${JSON.stringify(type ?? null)})`,
      );
    }
  } catch (error) {
    connection.close();
    return {
      kind: 'failed',
      stage: 'connect',
      error: error instanceof Error ? error : new Error(String(error)),
    };
  }
  return new ForwardRun(options, connection, listeners).run();
}

class ForwardRun {
  private readonly mux: MuxClient;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly cleanups: (() => void)[] = [];
  private finished = false;
  private resolve: (outcome: ForwardOutcome) => void = () => undefined;

  constructor(
    private readonly options: ForwardSessionOptions,
    private readonly connection: SessionConnection,
    listeners: ListenerSwitch,
  ) {
    this.mux = new MuxClient(connection);
    const sessionId = options.start.sessionId;
    listeners.bind({
      onPayload: (message, mustTake) => this.mux.onPayload(message, mustTake),
      onCustomerMessage: (text) => this.log(text),
      onClosed: (closed) => {
        this.options.io.stderr.write(channelClosedMessage(sessionId, closed.output));
        this.finish({ kind: 'closed' });
      },
      onTimedOut: () => {
        this.options.io.stderr.write(sessionTimedOutMessage(sessionId));
        this.finish({ kind: 'timed-out' });
      },
      onFailed: (error) => this.finish({ kind: 'failed', stage: 'session', error }),
    });
  }

  run(): Promise<ForwardOutcome> {
    return new Promise<ForwardOutcome>((resolve) => {
      this.resolve = resolve;
      const interrupt = (): void => {
        // The agent closes every connection now rather than when the server tells it.
        void this.connection
          .send(PayloadType.Flag, encodeFlagPayload(PayloadFlag.TerminateSession))
          .catch(() => undefined);
        this.finish({ kind: 'interrupted' });
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        this.cleanups.push(this.options.io.signals.on(signal, interrupt));
      }
      void this.listenAll().then(
        ({ ports, socksPort }) => this.options.onListening?.(ports, socksPort),
        (error: unknown) =>
          this.finish({
            kind: 'failed',
            stage: 'connect',
            error: error instanceof Error ? error : new Error(String(error)),
          }),
      );
    });
  }

  private async listenAll(): Promise<{ ports: number[]; socksPort: number | undefined }> {
    const { forwards, bindAddress, socksPort } = this.options;
    const ports: number[] = [];
    for (const forward of forwards) {
      const port = await this.listen(
        forward.localPort,
        (socket) => void this.forward(socket, forward.destination),
      );
      ports.push(port);
      this.log(
        `Forwarding ${bindAddress}:${port} -> ${formatDestination(forward.destination)} (on the node)`,
      );
    }
    let socks: number | undefined;
    if (socksPort !== undefined) {
      socks = await this.listen(socksPort, (socket) => void this.socks(socket));
      this.log(`SOCKS5 proxy on ${bindAddress}:${socks} (connections leave from the node)`);
    }
    this.log('Press Ctrl-C to stop.');
    return { ports, socksPort: socks };
  }

  private listen(port: number, onConnection: (socket: Socket) => void): Promise<number> {
    const server = createServer(
      { allowHalfOpen: true, noDelay: true, pauseOnConnect: true },
      (socket) => {
        if (this.finished) {
          socket.destroy();
          return;
        }
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        onConnection(socket);
      },
    );
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', (error) =>
        reject(new Error(`cannot listen on ${this.options.bindAddress}:${port}: ${error.message}`)),
      );
      server.listen(port, this.options.bindAddress, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  private async forward(socket: Socket, destination: StreamDestination): Promise<void> {
    const label = `${peerOf(socket)} -> ${formatDestination(destination)}`;
    let stream;
    try {
      stream = await this.mux.connect(destination);
    } catch (error) {
      this.log(`${label}: failed: ${(error as Error).message}`);
      socket.destroy();
      return;
    }
    if (!stream.connected) {
      this.log(`${label}: refused by the node: ${stream.reply.message}`);
      socket.destroy();
      return;
    }
    // One line per connection, when it ends: enough to see what went where, not a flood.
    stream.pipe(socket, (summary) => this.log(`${label}: closed, ${describe(summary)}`));
    socket.resume();
  }

  private async socks(socket: Socket): Promise<void> {
    socket.resume();
    let request;
    try {
      request = await readSocksRequest(socket);
    } catch (error) {
      this.log(`SOCKS ${peerOf(socket)}: ${(error as Error).message}`);
      return;
    }
    const label = `SOCKS ${peerOf(socket)} -> ${formatDestination(request.destination)}`;
    let stream;
    try {
      stream = await this.mux.connect(request.destination);
    } catch (error) {
      this.log(`${label}: failed: ${(error as Error).message}`);
      socket.end(replyBytes(SocksReply.GeneralFailure));
      return;
    }
    if (!stream.connected) {
      this.log(`${label}: refused by the node: ${stream.reply.message}`);
      socket.end(replyBytes(socksReplyFor(stream.reply.status)));
      return;
    }
    socket.write(replyBytes(SocksReply.Succeeded));
    stream.pipe(socket, (summary) => this.log(`${label}: closed, ${describe(summary)}`));
    if (request.rest.length > 0) void stream.write(request.rest);
    socket.resume();
  }

  private log(text: string): void {
    this.options.io.stderr.write(`${text}\n`);
  }

  private finish(outcome: ForwardOutcome): void {
    if (this.finished) return;
    this.finished = true;
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
    for (const server of this.servers) server.close();
    for (const socket of this.sockets) socket.destroy();
    this.mux.close();
    this.connection.close();
    this.resolve(outcome);
  }
}

function peerOf(socket: Socket): string {
  const address = socket.remoteAddress ?? '?';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? '?'}`;
}

function describe(summary: ConnectionSummary): string {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  return `sent ${summary.bytesSent} B, received ${summary.bytesReceived} B in ${seconds} s${summary.error === undefined ? '' : ` (${summary.error})`}`;
}
