// One Port session on the agent (ssm-wire §5.3): after the handshake, in the mode the client's
// version calls for — smux server (each stream a new connection to the destination, a failed
// dial answered with Flag ConnectToPortError for that stream only), basic (one connection at a
// time), stdio (one connection; its end ends the session) or OpenSSM's multi mode (each stream
// names its destination, docs/decisions/0009). Backpressure both ways, never a sleep: a socket
// is paused while the channel has not taken its last chunk, and channel messages are refused
// (the client resends them) while sockets hold more unwritten bytes than MAX_BACKLOG_BYTES.

import { connect as netConnect, type Socket } from 'node:net';
import {
  SmuxSession,
  pipeStreamToSocket,
  type DataChannel,
  type SmuxStream,
  type StreamMessage,
} from '@openssm/channel';
import {
  PayloadFlag,
  PayloadType,
  StreamConnectStatus,
  decodeStreamDestination,
  encodeFlagPayload,
  encodeStreamConnectReply,
  parseFlagPayload,
  type StreamDestination,
} from '@openssm/protocol';
import {
  DestinationDenied,
  DestinationUnresolved,
  type DestinationPolicy,
} from './destination-policy.js';
import { selectPortMode, type PortMode, type PortSessionPlan } from './port-plan.js';

/** smux's MaxReceiveBuffer: what a session may hold for slow destinations before refusing input. */
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
/** A destination that neither accepts nor refuses within this is reported as unreachable. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** smux frame header length. */
const SMUX_HEADER = 8;
/** A multi-mode destination is a few bytes; a stream that sends more without one is bad. */
const MAX_DESTINATION_BYTES = 512;

export interface PortLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export type Connector = (address: string, port: number) => Socket;

export interface PortSessionOptions {
  readonly sessionId: string;
  readonly channel: DataChannel;
  readonly plan: PortSessionPlan;
  readonly policy: DestinationPolicy;
  readonly log: PortLog;
  readonly connectTimeoutMs?: number;
  readonly connect?: Connector;
}

export interface PortSessionResult {
  readonly terminated: boolean;
  /** Why the session failed, when it did. */
  readonly error?: string;
}

const defaultConnector: Connector = (address, port) =>
  netConnect({ host: address, port, allowHalfOpen: true, noDelay: true });

export class PortSession {
  private mode: PortMode | undefined;
  private smux: SmuxSession | undefined;
  private basic: BasicConnection | undefined;
  private ended = false;
  private readonly sockets = new Set<Socket>();
  private readonly outcome: Promise<PortSessionResult>;
  private settle: (result: PortSessionResult) => void = () => undefined;

  constructor(private readonly options: PortSessionOptions) {
    this.outcome = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get done(): Promise<PortSessionResult> {
    return this.outcome;
  }

  get currentMode(): PortMode | undefined {
    return this.mode;
  }

  /** Starts in the mode `clientVersion` calls for; rejects when stdio/basic cannot connect. */
  async start(clientVersion: string): Promise<void> {
    const { plan, channel, log, sessionId } = this.options;
    const mode = selectPortMode(plan, clientVersion);
    this.mode = mode;
    log.info('port session started', { sessionId, mode, destination: plan.destination });
    // A denied or unknown destination fails the session now, with the reason, as AWS's agent
    // does; every connection is checked again when it is made (names can resolve differently).
    if (plan.destination !== undefined) await this.options.policy.resolve(plan.destination.host);
    if (mode === 'mux' || mode === 'multi') {
      this.smux = new SmuxSession({
        role: 'server',
        send: (bytes) => channel.send(PayloadType.Output, bytes),
        maxFrameData: () => channel.currentConfig.maxPayloadLength - SMUX_HEADER,
        onStream: (stream) =>
          void (mode === 'multi' ? this.acceptNamedStream(stream) : this.acceptStream(stream)),
      });
      return;
    }
    this.basic = new BasicConnection(this, mode === 'stdio');
    await this.basic.open();
  }

  /** The session's part of onStreamMessage; false while it cannot take more (the client resends). */
  handleStreamMessage(message: StreamMessage): boolean {
    if (this.mode === undefined) return false;
    if (this.ended) return true;
    switch (message.payloadType) {
      case PayloadType.Output:
        return this.handleOutput(message.payload);
      case PayloadType.Flag:
        this.handleFlag(message.payload);
        return true;
      default:
        return true; // AWS's port plugin ignores everything else
    }
  }

  /** Ends the session: every connection is closed. */
  terminate(): Promise<PortSessionResult> {
    this.finish({ terminated: true });
    return this.outcome;
  }

  /** @internal */
  finish(result: PortSessionResult): void {
    if (this.ended) return;
    this.ended = true;
    this.smux?.close();
    this.basic?.close();
    for (const socket of this.sockets) socket.destroy();
    this.settle(result);
  }

  /**
   * @internal Resolves the destination and connects, trying each address in turn (localhost
   * may be ::1 first while the service listens on 127.0.0.1, as Go's dialer does); rejects
   * with a reason for the client.
   */
  async dial(destination: StreamDestination): Promise<Socket> {
    const addresses = await this.options.policy.resolveAll(destination.host);
    let lastError: Error = new Error(`${destination.host} has no address`);
    for (const { address } of addresses) {
      try {
        return await this.dialAddress(address, destination);
      } catch (error) {
        lastError = error as Error;
        if (this.ended) break;
      }
    }
    throw lastError;
  }

  private async dialAddress(address: string, destination: StreamDestination): Promise<Socket> {
    const { connect, connectTimeoutMs } = this.options;
    const socket = (connect ?? defaultConnector)(address, destination.port);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${destination.host}:${destination.port} timed out`));
      }, connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    if (this.ended) {
      socket.destroy();
      throw new Error('the session ended');
    }
    return socket;
  }

  /** @internal */
  get channel(): DataChannel {
    return this.options.channel;
  }

  /** @internal */
  get plan(): PortSessionPlan {
    return this.options.plan;
  }

  /** @internal */
  get log(): PortLog {
    return this.options.log;
  }

  private handleOutput(payload: Uint8Array): boolean {
    if (this.smux !== undefined) {
      if (this.smux.backlogBytes > MAX_BACKLOG_BYTES) return false;
      try {
        this.smux.receive(payload);
      } catch (error) {
        this.options.log.warn('the client sent bad smux data', {
          sessionId: this.options.sessionId,
          error: (error as Error).message,
        });
        this.finish({ terminated: false, error: `bad smux data: ${(error as Error).message}` });
      }
      return true;
    }
    // Not set up yet (the destination is being checked): the client resends.
    return this.basic?.write(payload) ?? false;
  }

  private handleFlag(payload: Uint8Array): void {
    let flag: number;
    try {
      flag = parseFlagPayload(payload);
    } catch {
      return;
    }
    if (flag === PayloadFlag.TerminateSession) void this.terminate();
    else if (flag === PayloadFlag.DisconnectToPort) this.basic?.disconnect();
  }

  /** Mux mode: every stream goes to the document's destination. */
  private async acceptStream(stream: SmuxStream): Promise<void> {
    const destination = this.options.plan.destination!;
    const startedAt = Date.now();
    let socket: Socket;
    try {
      socket = await this.dial(destination);
    } catch (error) {
      this.connectionFailed(stream, destination, error);
      // AWS's plugin prints "Connection to destination port failed" for this flag (§4.10).
      void this.options.channel
        .send(PayloadType.Flag, encodeFlagPayload(PayloadFlag.ConnectToPortError))
        .catch(() => undefined);
      return;
    }
    this.pipe(stream, socket, destination, startedAt);
  }

  /** Multi mode: the stream's first bytes name its destination; the agent answers first. */
  private async acceptNamedStream(stream: SmuxStream): Promise<void> {
    const startedAt = Date.now();
    let buffered = new Uint8Array(0);
    let remoteEnded = false;
    const named = new Promise<{ destination: StreamDestination; rest: Uint8Array }>(
      (resolve, reject) => {
        stream.attach(
          {
            onData: (data) => {
              const joined = new Uint8Array(buffered.length + data.length);
              joined.set(buffered);
              joined.set(data, buffered.length);
              buffered = joined;
              try {
                const decoded = decodeStreamDestination(buffered);
                if (decoded !== undefined) {
                  resolve({
                    destination: decoded.destination,
                    rest: buffered.subarray(decoded.length),
                  });
                } else if (buffered.length > MAX_DESTINATION_BYTES) {
                  reject(new Error('the stream did not start with a destination'));
                }
              } catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
              }
            },
            onEnd: () => {
              remoteEnded = true;
              reject(new Error('the stream ended before naming its destination'));
            },
            onClose: () => reject(new Error('the stream closed')),
          },
          () => buffered.length,
        );
      },
    );
    let request: { destination: StreamDestination; rest: Uint8Array };
    try {
      request = await named;
    } catch (error) {
      this.reply(stream, StreamConnectStatus.Invalid, (error as Error).message);
      return;
    }
    const { destination } = request;
    // Hold what arrives while connecting; it goes to the socket first.
    const pending: Uint8Array[] = request.rest.length > 0 ? [request.rest] : [];
    stream.attach(
      {
        onData: (data) => pending.push(data),
        onEnd: () => {
          remoteEnded = true;
        },
        onClose: () => undefined,
      },
      () => pending.reduce((sum, chunk) => sum + chunk.length, 0),
    );
    let socket: Socket;
    try {
      socket = await this.dial(destination);
    } catch (error) {
      this.connectionFailed(stream, destination, error);
      const status =
        error instanceof DestinationDenied
          ? StreamConnectStatus.Denied
          : error instanceof DestinationUnresolved
            ? StreamConnectStatus.ResolveFailed
            : StreamConnectStatus.ConnectFailed;
      this.reply(stream, status, (error as Error).message);
      return;
    }
    void stream.write(
      encodeStreamConnectReply({ status: StreamConnectStatus.Connected, message: '' }),
    );
    for (const chunk of pending) socket.write(chunk);
    const stats = this.pipe(stream, socket, destination, startedAt);
    for (const chunk of pending) stats.bytesToSocket += chunk.length;
    if (remoteEnded) socket.end();
  }

  private reply(stream: SmuxStream, status: StreamConnectStatus, message: string): void {
    stream.attach({ onData: () => undefined, onEnd: () => undefined, onClose: () => undefined });
    void stream.write(encodeStreamConnectReply({ status, message }));
    stream.end();
  }

  private connectionFailed(
    stream: SmuxStream,
    destination: StreamDestination,
    error: unknown,
  ): void {
    this.options.log.warn('port connection failed', {
      sessionId: this.options.sessionId,
      stream: stream.id,
      host: destination.host,
      port: destination.port,
      error: (error as Error).message,
    });
    if (this.mode === 'mux') {
      stream.attach({ onData: () => undefined, onEnd: () => undefined, onClose: () => undefined });
      stream.end();
    }
  }

  private pipe(
    stream: SmuxStream,
    socket: Socket,
    destination: StreamDestination,
    startedAt: number,
  ): { bytesToSocket: number; bytesFromSocket: number } {
    return pipeStreamToSocket(stream, socket, {
      onDrain: () => this.options.channel.retryDelivery(),
      defer: (callback) => process.nextTick(callback),
      onClosed: (stats, error) =>
        this.options.log.info('port connection closed', {
          sessionId: this.options.sessionId,
          stream: stream.id,
          host: destination.host,
          port: destination.port,
          bytesToDestination: stats.bytesToSocket,
          bytesFromDestination: stats.bytesFromSocket,
          durationMs: Date.now() - startedAt,
          ...(error === undefined ? {} : { error: error.message }),
        }),
    });
  }
}

/**
 * Basic and stdio modes: one connection to the destination, raw bytes as Output payloads. In
 * basic mode a closed connection is dialled again when the client sends more (after its
 * DisconnectToPort); in stdio mode its end ends the session.
 */
class BasicConnection {
  private socket: Socket | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending: Uint8Array[] = [];
  private closed = false;
  private everConnected = false;

  constructor(
    private readonly session: PortSession,
    private readonly stdio: boolean,
  ) {}

  async open(): Promise<void> {
    const destination = this.session.plan.destination!;
    this.connecting ??= this.session.dial(destination).then((socket) => {
      if (this.closed) socket.destroy();
      else this.adopt(socket);
    });
    try {
      await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  write(payload: Uint8Array): boolean {
    if (this.closed) return true;
    if (this.socket === undefined) {
      // stdio: the one connection is gone, and with it the session.
      if (this.stdio && this.everConnected) return true;
      if (this.pending.reduce((sum, chunk) => sum + chunk.length, 0) > MAX_BACKLOG_BYTES) {
        return false;
      }
      // Held in order until the connection is up (the client does not wait for it).
      this.pending.push(payload);
      if (this.connecting === undefined && !this.stdio) {
        this.open().catch((error: unknown) => {
          this.session.log.warn('port connection failed', { error: (error as Error).message });
          this.pending.length = 0;
        });
      }
      return true;
    }
    if (this.socket.writableLength > MAX_BACKLOG_BYTES) return false;
    this.socket.write(payload);
    return true;
  }

  /** DisconnectToPort: the client's local connection ended. */
  disconnect(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private adopt(socket: Socket): void {
    const { channel } = this.session;
    this.socket = socket;
    this.everConnected = true;
    for (const chunk of this.pending.splice(0)) socket.write(chunk);
    socket.on('data', (chunk: Buffer) => {
      socket.pause();
      channel.send(PayloadType.Output, chunk).then(
        () => socket.resume(),
        () => socket.destroy(),
      );
    });
    socket.on('drain', () => channel.retryDelivery());
    socket.on('error', () => undefined); // 'close' follows
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      // stdio (ssh): the server closed the connection, the session is over (AWS: success).
      if (this.stdio && !this.closed) this.session.finish({ terminated: false });
    });
  }
}
