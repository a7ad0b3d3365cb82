// One session's data channel, client side (ssm-wire §4.1, §4.8, §4.11, §4.13): dials the StreamUrl,
// sends OpenDataChannel, runs the channel engine and the handshake, reports channel_closed, and
// when the link drops calls ResumeSession and re-dials the original URL with the new token and the
// same ClientId — the engine keeps its sequence numbers and resends what was not acknowledged.

import {
  ClientHandshake,
  DataChannel,
  OPENSSM_TRANSPORT_OFFER,
  type ClientHandshakeOutcome,
  type Environment,
  type StreamMessage,
} from '@openssm/channel';
import {
  HandshakeActionType,
  MessageType,
  PayloadType,
  encodeClientOpenDataChannel,
  parseChannelClosed,
  parseHandshakeComplete,
  parseHandshakeRequest,
  type ChannelClosed,
  type DecodedAgentMessage,
  type OpenSSMTransportParameters,
} from '@openssm/protocol';
import type { WebSocket } from 'ws';
import type { RetryPolicy } from './retry-policy.js';
import {
  WebSocketTransport,
  rawDataBytes,
  startKeepalive,
  type Dialer,
} from './websocket-transport.js';

/** What StartSession returned (only these three fields matter to a client). */
export interface SessionStart {
  readonly sessionId: string;
  readonly streamUrl: string;
  readonly tokenValue: string;
}

export interface SessionListener {
  /**
   * A session payload (Output, StdErr, ExitCode, …); false when it cannot be taken now.
   * `mustTake`: the session is ending and this was acknowledged already — take it whatever
   * the backpressure says (the return value is ignored).
   */
  onPayload(message: StreamMessage, mustTake?: boolean): boolean;
  /** HandshakeComplete's CustomerMessage, when not empty. */
  onCustomerMessage(text: string): void;
  /** The gateway ended the session. */
  onClosed(closed: ChannelClosed): void;
  /** ResumeSession returned no token: the session is gone. */
  onTimedOut(): void;
  /** The link could not be brought back, or the channel gave up. */
  onFailed(error: Error): void;
}

export interface SessionConnectionOptions {
  readonly start: SessionStart;
  /** Stable for the whole session, across reconnects (§4.1). */
  readonly clientId: string;
  readonly clientVersion: string;
  readonly dial: Dialer;
  /** Calls ResumeSession; resolves to the new TokenValue, '' or undefined when there is none. */
  readonly resume: () => Promise<string | undefined>;
  readonly retry: RetryPolicy;
  readonly environment: Environment;
  readonly supportedSessionTypes: readonly string[];
  readonly listener: SessionListener;
  /**
   * The most this client accepts of an OpenSSM transport offer (decision 0001); null declines
   * it, keeping AWS's 1 KiB mode (benchmarks of AWS's mode). Default: the standard offer.
   */
  readonly transportLimits?: OpenSSMTransportParameters | null;
}

export class SessionConnection {
  private readonly channel: DataChannel;
  private readonly handshake: ClientHandshake;
  private socket: WebSocket | undefined;
  private stopKeepalive: (() => void) | undefined;
  private receivedOnSocket = false;
  /** Consecutive failed (re)connect attempts since a frame last arrived. */
  private failures = 0;
  private reconnecting = false;
  private ended = false;
  /** Pending retry delays: close() ends them early so no caller waits on a dead connection. */
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly options: SessionConnectionOptions) {
    this.channel = new DataChannel({
      role: 'client',
      environment: options.environment,
      handlers: {
        onStreamMessage: (message) => this.onStreamMessage(message),
        onOtherMessage: (message) => this.onOtherMessage(message),
        onFailure: (error) => this.fail(error),
      },
    });
    this.handshake = new ClientHandshake({
      channel: this.channel,
      clientVersion: options.clientVersion,
      supportedSessionTypes: options.supportedSessionTypes,
      // What our client accepts of an OpenSSM agent's transport offer (decision 0001); digests
      // are skipped only when this leg is TLS too (decision 0012).
      ...(options.transportLimits === null
        ? {}
        : {
            transportLimits: options.transportLimits ?? {
              ...OPENSSM_TRANSPORT_OFFER,
              ...(options.start.streamUrl.startsWith('wss:') ? { skipPayloadDigest: true } : {}),
            },
          }),
    });
    this.handshake.done.catch((error: unknown) => this.fail(asError(error)));
  }

  /** Resolves when the session may start: HandshakeComplete, or output without a handshake. */
  get ready(): Promise<ClientHandshakeOutcome> {
    return this.handshake.done;
  }

  /** Stream messages sent or queued and not yet acknowledged. */
  get unacknowledged(): number {
    return this.channel.inFlight + this.channel.queued;
  }

  get maxPayloadLength(): number {
    return this.channel.currentConfig.maxPayloadLength;
  }

  /** The consumer drained: deliver what it refused (see DataChannel.retryDelivery). */
  retryDelivery(): void {
    this.channel.retryDelivery();
  }

  /**
   * First connection, retried like AWS's plugin with the same token (no ResumeSession: the
   * session was never joined). Rejects with the last error when every attempt failed.
   */
  async open(): Promise<void> {
    for (let retry = 0; ; retry++) {
      try {
        await this.connect(this.options.start.tokenValue);
        return;
      } catch (error) {
        if (this.ended || retry >= this.options.retry.maxRetries) throw error;
        await this.sleep(this.options.retry.delayMs(retry));
        if (this.ended) throw error;
      }
    }
  }

  /** Queues a payload to the agent; resolves when it is in the window (backpressure). */
  send(payloadType: number, payload: Uint8Array): Promise<void> {
    return this.channel.send(payloadType, payload);
  }

  /** Ends the connection for good (no reconnect). Idempotent. */
  close(): void {
    this.ended = true;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    this.channel.close();
    const socket = this.socket;
    this.socket = undefined;
    this.stopKeepalive?.();
    socket?.close(1000);
  }

  private async connect(token: string): Promise<void> {
    const socket = await this.options.dial(this.options.start.streamUrl);
    if (this.ended) {
      socket.close(1000);
      return;
    }
    // The text frame goes first on the new socket; the resends `attach` triggers follow it.
    socket.send(
      encodeClientOpenDataChannel({
        requestId: this.options.environment.randomUUID(),
        tokenValue: token,
        clientId: this.options.clientId,
        clientVersion: this.options.clientVersion,
      }),
    );
    this.socket = socket;
    this.receivedOnSocket = false;
    this.stopKeepalive = startKeepalive(socket);
    socket.on('message', (data, isBinary) => {
      if (socket !== this.socket || !isBinary) return; // text frames carry nothing for a client
      this.receivedOnSocket = true;
      this.failures = 0;
      try {
        this.channel.receive(rawDataBytes(data));
      } catch {
        // A frame that does not decode is dropped, as AWS's plugin does; its sender resends.
      }
    });
    socket.on('error', () => undefined); // 'close' follows and is where we act
    socket.on('close', () => this.onSocketClosed(socket));
    this.channel.attach(new WebSocketTransport(socket));
  }

  private onSocketClosed(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.stopKeepalive?.();
    this.channel.detach();
    if (this.ended) return;
    // A socket that closes before delivering anything (say the token was refused) is a failed
    // attempt, or a gateway that accepts and drops us would be re-dialled forever.
    if (!this.receivedOnSocket) this.failures++;
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let lastError: Error = new Error('the data channel closed before the gateway sent anything');
    try {
      while (!this.ended) {
        if (this.failures > this.options.retry.maxRetries) {
          this.fail(new Error(`could not reconnect the data channel: ${lastError.message}`));
          return;
        }
        if (this.failures > 0) await this.sleep(this.options.retry.delayMs(this.failures - 1));
        if (this.ended) return;
        let token: string | undefined;
        try {
          token = await this.options.resume();
        } catch (error) {
          lastError = asError(error);
          this.failures++;
          continue;
        }
        if (this.ended) return;
        if (token === undefined || token === '') {
          this.close();
          this.options.listener.onTimedOut();
          return;
        }
        try {
          await this.connect(token);
          return;
        } catch (error) {
          lastError = asError(error);
          this.failures++;
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  private onStreamMessage(message: StreamMessage, mustTake = false): boolean {
    if (this.handshake.handle(message)) {
      if (message.payloadType === PayloadType.HandshakeRequest) {
        this.refuseUnsupportedSessionType(message.payload);
      } else if (message.payloadType === PayloadType.HandshakeComplete) {
        this.announceCustomerMessage(message.payload);
      }
      return true;
    }
    return this.options.listener.onPayload(message, mustTake);
  }

  /**
   * The handshake has just answered "Failed" to a session type we cannot show (Port needs a
   * port forwarder); the agent ends the session, but only we can tell the user why.
   */
  private refuseUnsupportedSessionType(payload: Uint8Array): void {
    let sessionType: string | undefined;
    try {
      const request = parseHandshakeRequest(payload);
      for (const action of request.requestedClientActions) {
        if (action.known && action.actionType === HandshakeActionType.SessionType) {
          sessionType = action.actionParameters.sessionType;
        }
      }
    } catch {
      return; // the handshake reports an invalid request itself
    }
    if (sessionType !== undefined && !this.options.supportedSessionTypes.includes(sessionType)) {
      this.fail(new Error(`this client does not support ${sessionType} sessions`));
    }
  }

  /**
   * Printed here, while the message is delivered, rather than when `ready` settles: output that
   * arrives in the same TCP read would otherwise appear before it.
   */
  private announceCustomerMessage(payload: Uint8Array): void {
    try {
      const { customerMessage } = parseHandshakeComplete(payload);
      if (customerMessage !== '') this.options.listener.onCustomerMessage(customerMessage);
    } catch {
      // The handshake reports an invalid HandshakeComplete itself.
    }
  }

  private onOtherMessage(message: DecodedAgentMessage): void {
    if (message.messageType !== MessageType.ChannelClosed || this.ended) return;
    let closed: ChannelClosed;
    try {
      closed = parseChannelClosed(message.payload);
    } catch {
      // The session is over whatever the payload says; only the text to print is lost.
      closed = {
        messageId: '',
        createdDate: '',
        destinationId: '',
        sessionId: this.options.start.sessionId,
        schemaVersion: 1,
        output: '',
      };
    }
    // The agent counts what we acknowledged as delivered; hand over what is still held.
    for (const held of this.channel.takeHeldInOrder()) this.onStreamMessage(held, true);
    this.close();
    this.options.listener.onClosed(closed);
  }

  private fail(error: Error): void {
    if (this.ended) return;
    this.close();
    this.options.listener.onFailed(error);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
