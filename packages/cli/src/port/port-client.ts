// The client half of a Port session (ssm-wire §5.2): local TCP connections carried over the
// data channel — as smux streams (mux, and OpenSSM's multi mode where each stream names its
// destination, docs/decisions/0009), or raw, one connection at a time (basic). Backpressure is
// the same as the agent's: a socket is paused until the channel took its chunk, and Output is
// refused (the agent resends) while local sockets hold too much unwritten data.

import type { Socket } from 'node:net';
import {
  SmuxSession,
  pipeStreamToSocket,
  type SmuxStream,
  type StreamMessage,
} from '@openssm/channel';
import {
  PayloadFlag,
  PayloadType,
  StreamConnectStatus,
  decodeStreamConnectReply,
  encodeFlagPayload,
  encodeStreamDestination,
  parseFlagPayload,
  type StreamConnectReply,
  type StreamDestination,
} from '@openssm/protocol';

/** What local sockets may hold unwritten before Output is refused (smux's MaxReceiveBuffer). */
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
const SMUX_HEADER = 8;

/** The part of SessionConnection a port client uses. */
export interface PortTransport {
  send(payloadType: number, payload: Uint8Array): Promise<void>;
  readonly maxPayloadLength: number;
  /** A socket drained: hand over the messages refused while it was full. */
  retryDelivery(): void;
}

export interface ConnectionSummary {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly durationMs: number;
  readonly error?: string;
}

export interface PortClientEvents {
  /** The agent could not reach the destination of a connection (mux Flag 3). */
  onConnectToPortError?(): void;
}

export class MuxClient {
  private readonly smux: SmuxSession;

  constructor(
    private readonly transport: PortTransport,
    private readonly events: PortClientEvents = {},
  ) {
    this.smux = new SmuxSession({
      role: 'client',
      send: (bytes) => transport.send(PayloadType.Output, bytes),
      maxFrameData: () => transport.maxPayloadLength - SMUX_HEADER,
    });
  }

  get openStreams(): number {
    return this.smux.streamCount;
  }

  /** The session listener's onPayload for a port session. */
  onPayload(message: StreamMessage, mustTake = false): boolean {
    if (message.payloadType === PayloadType.Flag) {
      try {
        if (parseFlagPayload(message.payload) === PayloadFlag.ConnectToPortError) {
          this.events.onConnectToPortError?.();
        }
      } catch {
        // An unreadable flag means nothing to us.
      }
      return true;
    }
    if (message.payloadType !== PayloadType.Output) return true;
    if (!mustTake && this.smux.backlogBytes > MAX_BACKLOG_BYTES) return false;
    this.smux.receive(message.payload);
    return true;
  }

  /** Carries `socket` over a new stream to the session's destination (mux mode). */
  forward(socket: Socket, onClosed?: (summary: ConnectionSummary) => void): void {
    const startedAt = Date.now();
    pipeStreamToSocket(this.smux.open(), socket, {
      onDrain: () => this.transport.retryDelivery(),
      defer: (callback) => process.nextTick(callback),
      onClosed: (stats, error) =>
        onClosed?.({
          bytesSent: stats.bytesFromSocket,
          bytesReceived: stats.bytesToSocket,
          durationMs: Date.now() - startedAt,
          ...(error === undefined ? {} : { error: error.message }),
        }),
    });
  }

  /**
   * Multi mode: opens a stream to `destination` and resolves with the agent's reply. On
   * Connected the caller pipes with `pipe(socket)`; otherwise the stream is already ended.
   */
  async connect(destination: StreamDestination): Promise<NamedStream> {
    const stream = this.smux.open();
    void stream.write(encodeStreamDestination(destination));
    let buffered = new Uint8Array(0);
    const early: Uint8Array[] = [];
    let ended = false;
    const reply = await new Promise<{ reply: StreamConnectReply; rest: Uint8Array }>(
      (resolve, reject) => {
        let decided = false;
        stream.attach({
          onData: (data) => {
            if (decided) {
              early.push(data);
              return;
            }
            const joined = new Uint8Array(buffered.length + data.length);
            joined.set(buffered);
            joined.set(data, buffered.length);
            buffered = joined;
            try {
              const decoded = decodeStreamConnectReply(buffered);
              if (decoded === undefined) return;
              decided = true;
              resolve({ reply: decoded.reply, rest: buffered.subarray(decoded.length) });
            } catch (error) {
              decided = true;
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          },
          onEnd: () => {
            ended = true;
            if (!decided) reject(new Error('the agent closed the stream without an answer'));
          },
          onClose: () => {
            if (!decided) reject(new Error('the session closed'));
          },
        });
      },
    ).catch((error: unknown) => {
      stream.end();
      throw error;
    });
    if (reply.rest.length > 0) early.unshift(reply.rest);
    if (reply.reply.status !== StreamConnectStatus.Connected) stream.end();
    return new NamedStream(
      stream,
      reply.reply,
      early,
      () => ended,
      () => this.transport.retryDelivery(),
    );
  }

  close(): void {
    this.smux.close();
  }
}

/** A multi-mode stream whose agent reply is known. */
export class NamedStream {
  constructor(
    private readonly stream: SmuxStream,
    readonly reply: StreamConnectReply,
    private readonly early: Uint8Array[],
    private readonly endedEarly: () => boolean,
    /** The transport's retryDelivery: the socket drained. */
    private readonly drained: () => void,
  ) {}

  get connected(): boolean {
    return this.reply.status === StreamConnectStatus.Connected;
  }

  /** Sends bytes on the stream (before `pipe`: say what a SOCKS client sent early). */
  write(data: Uint8Array): Promise<void> {
    return this.stream.write(data);
  }

  /** Joins the stream to `socket` (Connected only); `onClosed` when the socket closed. */
  pipe(socket: Socket, onClosed?: (summary: ConnectionSummary) => void): void {
    const startedAt = Date.now();
    for (const chunk of this.early.splice(0)) socket.write(chunk);
    const stats = pipeStreamToSocket(this.stream, socket, {
      onDrain: this.drained,
      defer: (callback) => process.nextTick(callback),
      onClosed: (final, error) =>
        onClosed?.({
          bytesSent: final.bytesFromSocket,
          bytesReceived: final.bytesToSocket,
          durationMs: Date.now() - startedAt,
          ...(error === undefined ? {} : { error: error.message }),
        }),
    });
    if (this.endedEarly()) socket.end();
    void stats;
  }
}

/**
 * Basic mode (an agent at or below 3.0.196.0): one local connection at a time, raw bytes. When
 * it ends the agent is told (Flag DisconnectToPort) and the next waiting connection goes.
 */
export class BasicClient {
  private current: Socket | undefined;
  private readonly waiting: Socket[] = [];

  constructor(private readonly transport: PortTransport) {}

  onPayload(message: StreamMessage, mustTake = false): boolean {
    if (message.payloadType !== PayloadType.Output) return true;
    const socket = this.current;
    if (socket === undefined) return true; // nobody to give it to, as AWS's plugin
    if (!mustTake && socket.writableLength > MAX_BACKLOG_BYTES) return false;
    socket.write(message.payload);
    return true;
  }

  forward(socket: Socket): void {
    if (this.current !== undefined) {
      socket.pause();
      this.waiting.push(socket);
      return;
    }
    this.current = socket;
    socket.on('data', (chunk: Buffer) => {
      socket.pause();
      this.transport.send(PayloadType.Output, chunk).then(
        () => socket.resume(),
        () => socket.destroy(),
      );
    });
    socket.on('drain', () => this.transport.retryDelivery());
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      if (this.current !== socket) return;
      this.current = undefined;
      void this.transport
        .send(PayloadType.Flag, encodeFlagPayload(PayloadFlag.DisconnectToPort))
        .catch(() => undefined);
      const next = this.waiting.shift();
      if (next !== undefined) {
        this.forward(next);
        next.resume();
      }
    });
    socket.resume();
  }

  close(): void {
    this.current?.destroy();
    for (const socket of this.waiting.splice(0)) socket.destroy();
  }
}
