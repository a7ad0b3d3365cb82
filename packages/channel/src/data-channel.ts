// The data-channel engine shared by the agent, the CLI and the console (ssm-wire §4.5–§4.7, §4.13):
// numbers outgoing stream messages, keeps them until acknowledged and resends them after the RTO;
// acknowledges, reorders and de-duplicates incoming ones and hands them over exactly once, in order.

import {
  CodedError,
  MessageFlags,
  MessageType,
  PayloadType,
  decodeAgentMessage,
  encodeAcknowledgeContent,
  encodeAgentMessage,
  isHandshakePayloadType,
  parseAcknowledgeContent,
  type DecodedAgentMessage,
  type Sha256,
} from '@openssm/protocol';
import { resolveChannelConfig, type ChannelConfig } from './channel-config.js';
import { IncomingBuffer, type StreamMessage } from './incoming-buffer.js';
import { OutgoingWindow, type PendingMessage } from './outgoing-window.js';
import type { Environment, TimerHandle, Transport } from './ports.js';
import { RttEstimator } from './rtt-estimator.js';

/** Which end of the session this engine is: it decides the message types sent and expected. */
export type ChannelRole = 'client' | 'agent';

export interface DataChannelHandlers {
  /**
   * An in-order stream message. Return false when it cannot be taken now: it is then neither
   * acknowledged nor consumed, and arrives again (AWS's "handler not ready" rule). Handshake
   * payloads are acknowledged before this is called, whatever it returns.
   */
  onStreamMessage(message: StreamMessage): boolean;
  /** channel_closed, agent_session_state, publication and unknown message types. */
  onOtherMessage?(message: DecodedAgentMessage): void;
  /** The channel gave up (for example a message was never acknowledged); it is now closed. */
  onFailure?(error: CodedError): void;
}

export interface DataChannelOptions {
  readonly role: ChannelRole;
  readonly environment: Environment;
  readonly handlers: DataChannelHandlers;
  readonly config?: Partial<ChannelConfig>;
}

export interface DataChannelStats {
  messagesSent: number;
  messagesResent: number;
  messagesDelivered: number;
  acknowledgementsSent: number;
  duplicatesReceived: number;
  outOfOrderReceived: number;
  droppedAheadOfWindow: number;
  ignoredMessages: number;
}

interface QueuedChunk {
  readonly payloadType: number;
  readonly payload: Uint8Array;
  readonly admitted?: () => void;
  readonly rejected?: (error: unknown) => void;
}

/** Payload types whose bytes form a stream, so a long one may be cut into several messages. */
const SPLITTABLE_PAYLOAD_TYPES: ReadonlySet<number> = new Set([
  PayloadType.Output,
  PayloadType.StdErr,
]);

/** The digest field of a message sent without one (decision 0012): all zeros. */
const NO_DIGEST = new Uint8Array(32);
const noDigest: Sha256 = () => NO_DIGEST;

export class DataChannel {
  readonly role: ChannelRole;
  readonly stats: DataChannelStats = {
    messagesSent: 0,
    messagesResent: 0,
    messagesDelivered: 0,
    acknowledgementsSent: 0,
    duplicatesReceived: 0,
    outOfOrderReceived: 0,
    droppedAheadOfWindow: 0,
    ignoredMessages: 0,
  };

  private config: ChannelConfig;
  private readonly environment: Environment;
  private readonly handlers: DataChannelHandlers;
  private readonly sendType: MessageType;
  private readonly receiveType: MessageType;
  private readonly rtt: RttEstimator;
  private window: OutgoingWindow;
  private readonly incoming: IncomingBuffer;
  /** The in-order message the session refused, held in `incoming` without an ack. */
  private refusedSequenceNumber: number | undefined;
  private readonly queue: QueuedChunk[] = [];
  private transport: Transport | undefined;
  private paused = false;
  private closed = false;
  private nextSequenceNumber = 0;
  private expectedSequenceNumber = 0;
  private resendTimer: TimerHandle | undefined;
  /**
   * When the peer last acknowledged something new, or the window last became non-empty: TCP's
   * retransmission timer (RFC 6298 §5.1, §5.3), which runs from progress, not from each send.
   */
  private progressAt = 0;
  /** The highest sequence number acknowledged so far; unacknowledged ones below it are holes. */
  private highestAcknowledged = -1;
  private cumulativeAckTimer: TimerHandle | undefined;
  private unacknowledgedInOrder = 0;
  private unacknowledgedBytes = 0;
  private lastInOrderMessageId = '';

  constructor(options: DataChannelOptions) {
    this.role = options.role;
    this.environment = options.environment;
    this.handlers = options.handlers;
    this.config = resolveChannelConfig(options.config);
    this.sendType =
      options.role === 'client' ? MessageType.InputStreamData : MessageType.OutputStreamData;
    this.receiveType =
      options.role === 'client' ? MessageType.OutputStreamData : MessageType.InputStreamData;
    this.rtt = new RttEstimator(this.config);
    this.window = new OutgoingWindow(this.config);
    this.incoming = new IncomingBuffer(this.config.incomingBufferSize);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Messages sent but not yet acknowledged. */
  get inFlight(): number {
    return this.window.size;
  }

  /** Chunks waiting for room in the window. */
  get queued(): number {
    return this.queue.length;
  }

  get retransmissionTimeoutMs(): number {
    return this.rtt.retransmissionTimeoutMs;
  }

  /** SHA-256 for the digest field of messages we send, or zeros once both ends skip it. */
  private get digest(): Sha256 {
    return this.config.writePayloadDigests ? this.environment.sha256 : noDigest;
  }

  get currentConfig(): ChannelConfig {
    return this.config;
  }

  /**
   * Switches payload size, window and ack style, for example after both ends negotiated the
   * OpenSSM transport in the handshake. Messages already in flight keep their size.
   */
  reconfigure(overrides: Partial<ChannelConfig>): void {
    this.config = resolveChannelConfig({ ...this.config, ...overrides });
    this.rtt.setBounds(this.config);
    const window = new OutgoingWindow(this.config);
    for (const message of this.window.values()) window.add(message);
    this.window = window;
    this.pump();
  }

  /** Uses `transport` from now on and resends everything unacknowledged (resume keeps numbers). */
  attach(transport: Transport): void {
    if (this.closed) return;
    this.transport = transport;
    this.resendAllNow();
  }

  /** Stops using the current transport; messages wait in the window until the next attach. */
  detach(): void {
    this.transport = undefined;
  }

  /**
   * Queues a stream payload; resolves once every part of it is in the window (sent or waiting
   * for a transport), so awaiting it is the producer's backpressure. Output and StdErr longer
   * than maxPayloadLength are cut into several messages; other types go whole, up to
   * maxControlPayloadLength. `payload` is read until the promise settles: do not reuse it before.
   */
  send(payloadType: number, payload: Uint8Array): Promise<void> {
    if (this.closed) {
      return Promise.reject(new CodedError('ChannelClosed', 'the data channel is closed'));
    }
    const splittable = SPLITTABLE_PAYLOAD_TYPES.has(payloadType);
    const limit = splittable ? this.config.maxPayloadLength : this.config.maxControlPayloadLength;
    if (payload.length > limit && !splittable) {
      return Promise.reject(
        new CodedError(
          'PayloadTooLarge',
          `payload type ${payloadType} of ${payload.length} bytes exceeds ${limit}`,
        ),
      );
    }
    if (payload.length === 0) {
      // AWS's agent cannot parse an empty payload (ssm-wire §4.2): there is nothing to send.
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      for (let offset = 0; offset < payload.length; offset += limit) {
        const last = offset + limit >= payload.length;
        this.queue.push({
          payloadType,
          payload: payload.subarray(offset, Math.min(payload.length, offset + limit)),
          ...(last ? { admitted: resolve, rejected: reject } : {}),
        });
      }
      this.pump();
    });
  }

  /** Handles one binary WebSocket message; throws CodedError for a frame that is not valid. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    const message = decodeAgentMessage(bytes, {
      maxPayloadLength: this.config.maxIncomingPayloadLength,
      ...(this.config.verifyPayloadDigests ? { verifyDigestWith: this.environment.sha256 } : {}),
    });
    switch (message.messageType) {
      case MessageType.Acknowledge:
        this.handleAcknowledge(message.payload);
        return;
      case this.receiveType:
        this.handleStreamData(message);
        return;
      case MessageType.PausePublication:
        this.paused = true;
        break;
      case MessageType.StartPublication:
        this.paused = false;
        this.resendAllNow();
        break;
      case MessageType.ChannelClosed:
      case MessageType.AgentSessionState:
        break;
      default:
        // Policy for unknown types (and our own send type echoed back): ignore, count, pass on —
        // AWS's endpoints log and ignore them too, and a newer peer must not break an older one.
        this.stats.ignoredMessages++;
    }
    this.handlers.onOtherMessage?.(message);
  }

  /**
   * Takes the in-order messages still held: acknowledged (so the peer considers them delivered)
   * but not yet taken because the session refused one while its consumer was slow. Called when
   * the session is ending, so the consumer gets them regardless of its backpressure.
   */
  takeHeldInOrder(): StreamMessage[] {
    const held: StreamMessage[] = [];
    for (;;) {
      const next = this.incoming.get(this.expectedSequenceNumber);
      if (next === undefined) return held;
      this.incoming.delete(next.sequenceNumber);
      if (next.sequenceNumber === this.refusedSequenceNumber)
        this.refusedSequenceNumber = undefined;
      this.expectedSequenceNumber++;
      this.stats.messagesDelivered++;
      held.push(next);
    }
  }

  /** Stops timers and fails pending sends. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport = undefined;
    this.clearTimer('resend');
    this.clearTimer('ack');
    const error = new CodedError('ChannelClosed', 'the data channel was closed');
    for (const chunk of this.queue.splice(0)) chunk.rejected?.(error);
    this.window.clear();
    this.incoming.clear();
    this.refusedSequenceNumber = undefined;
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      const next = this.queue[0]!;
      if (!this.window.hasRoomFor(next.payload.length)) break;
      this.queue.shift();
      this.transmitNew(next.payloadType, next.payload);
      next.admitted?.();
    }
  }

  private transmitNew(payloadType: number, payload: Uint8Array): void {
    const sequenceNumber = this.nextSequenceNumber++;
    const messageId = this.environment.randomUUID();
    const bytes = encodeAgentMessage(
      {
        messageType: this.sendType,
        schemaVersion: 1,
        createdDate: this.environment.clock.now(),
        sequenceNumber,
        // The agent marks its first stream message with SYN; the plugin never sets flags (§4.5).
        flags: this.role === 'agent' && sequenceNumber === 0 ? MessageFlags.Syn : MessageFlags.None,
        messageId,
        payloadType,
        payload,
      },
      this.digest,
    );
    const pending: PendingMessage = {
      sequenceNumber,
      messageId,
      bytes,
      payloadLength: payload.length,
      lastSentAt: undefined,
      resends: 0,
    };
    if (this.window.size === 0) this.progressAt = this.environment.clock.now();
    this.window.add(pending);
    if (this.transmit(pending)) this.stats.messagesSent++;
    this.scheduleResendTick();
  }

  private transmit(message: PendingMessage): boolean {
    if (this.transport === undefined || this.paused) return false;
    message.lastSentAt = this.environment.clock.now();
    this.transport.send(message.bytes);
    return true;
  }

  private handleAcknowledge(payload: Uint8Array): void {
    const ack = parseAcknowledgeContent(payload);
    const acknowledged = ack.openSsmCumulative
      ? this.window.acknowledgeThrough(ack.acknowledgedSequenceNumber)
      : this.window.acknowledge(ack.acknowledgedSequenceNumber);
    if (acknowledged !== undefined) {
      this.progressAt = this.environment.clock.now();
      this.highestAcknowledged = Math.max(this.highestAcknowledged, acknowledged.sequenceNumber);
    }
    // Karn's rule: a resent message's ack cannot tell which copy it answers, so it is no sample.
    if (acknowledged?.lastSentAt !== undefined && acknowledged.resends === 0) {
      this.rtt.addSample(this.environment.clock.now() - acknowledged.lastSentAt);
    }
    this.pump();
    // The tick also retries delivery of held messages the session refused: keep it for them.
    const waitingDelivery = this.incoming.get(this.expectedSequenceNumber) !== undefined;
    if (this.window.size === 0 && !waitingDelivery) this.clearTimer('resend');
  }

  private handleStreamData(message: DecodedAgentMessage): void {
    const stream: StreamMessage = {
      sequenceNumber: message.sequenceNumber,
      messageId: message.messageId,
      payloadType: message.payloadType,
      payload: message.payload,
    };
    if (stream.sequenceNumber < this.expectedSequenceNumber) {
      // A duplicate, typically a resend whose ack was lost: ack it again so the peer stops.
      this.stats.duplicatesReceived++;
      this.sendAcknowledge(stream, false);
      return;
    }
    if (stream.sequenceNumber > this.expectedSequenceNumber) {
      this.stats.outOfOrderReceived++;
      if (this.incoming.store(stream, this.expectedSequenceNumber)) {
        this.sendAcknowledge(stream, false);
      } else {
        this.stats.droppedAheadOfWindow++;
      }
      return;
    }
    if (stream.sequenceNumber === this.refusedSequenceNumber) {
      // The peer resent the message the session refused, which is held already.
      this.retryDelivery();
      return;
    }
    if (!this.deliver(stream)) {
      // Refused ("not ready"): hold it unacknowledged and hand it over as soon as the session
      // can take it (retryDelivery, or the next tick) instead of waiting for the peer to resend
      // it after its timeout — which stalled bulk transfers into a slow consumer.
      if (this.incoming.store(stream, this.expectedSequenceNumber)) {
        this.refusedSequenceNumber = stream.sequenceNumber;
        this.scheduleResendTick();
      }
      return;
    }
    this.acknowledgeInOrder(stream);
    this.deliverBuffered();
  }

  /**
   * The session can take messages again (its consumer drained): hands over what it refused,
   * now rather than on the next tick.
   */
  retryDelivery(): void {
    if (!this.closed) this.deliverBuffered();
  }

  /** Hands `message` to the session; true when it was taken (and the expected number moved on). */
  private deliver(message: StreamMessage): boolean {
    const handshake = isHandshakePayloadType(message.payloadType);
    if (handshake) this.sendAcknowledge(message, false);
    const accepted = this.handlers.onStreamMessage(message) || handshake;
    if (!accepted) return false;
    this.expectedSequenceNumber = message.sequenceNumber + 1;
    this.stats.messagesDelivered++;
    return true;
  }

  /**
   * Delivers buffered messages that have become in order; they were acked when they arrived,
   * but for a refused in-order one, acked once it is taken.
   */
  private deliverBuffered(): void {
    for (;;) {
      const next = this.incoming.get(this.expectedSequenceNumber);
      if (next === undefined || this.closed) return;
      if (!this.deliver(next)) {
        // The session cannot take it yet: retry on the next tick instead of dropping it.
        this.scheduleResendTick();
        return;
      }
      this.incoming.delete(next.sequenceNumber);
      if (next.sequenceNumber === this.refusedSequenceNumber) {
        // Held without an ack (it arrived in order and was refused): acknowledge it now.
        this.refusedSequenceNumber = undefined;
        this.acknowledgeInOrder(next);
      } else {
        this.lastInOrderMessageId = next.messageId;
      }
    }
  }

  private acknowledgeInOrder(message: StreamMessage): void {
    if (isHandshakePayloadType(message.payloadType)) return;
    if (!this.config.cumulativeAcks) {
      this.sendAcknowledge(message, false);
      return;
    }
    this.lastInOrderMessageId = message.messageId;
    this.unacknowledgedInOrder++;
    this.unacknowledgedBytes += message.payload.length;
    if (
      this.unacknowledgedInOrder >= this.config.cumulativeAckEvery ||
      this.unacknowledgedBytes >= this.config.cumulativeAckBytes
    ) {
      this.flushCumulativeAck();
    } else if (this.cumulativeAckTimer === undefined) {
      this.cumulativeAckTimer = this.environment.clock.setTimeout(() => {
        this.cumulativeAckTimer = undefined;
        this.flushCumulativeAck();
      }, this.config.cumulativeAckDelayMs);
    }
  }

  private flushCumulativeAck(): void {
    this.clearTimer('ack');
    if (this.unacknowledgedInOrder === 0 || this.closed) return;
    this.unacknowledgedInOrder = 0;
    this.unacknowledgedBytes = 0;
    this.sendAcknowledge(
      {
        sequenceNumber: this.expectedSequenceNumber - 1,
        messageId: this.lastInOrderMessageId,
        payloadType: PayloadType.Output,
        payload: new Uint8Array(0),
      },
      true,
    );
  }

  private sendAcknowledge(message: StreamMessage, cumulative: boolean): void {
    if (this.transport === undefined) return;
    const payload = encodeAcknowledgeContent({
      acknowledgedMessageType: this.receiveType,
      acknowledgedMessageId: message.messageId,
      acknowledgedSequenceNumber: message.sequenceNumber,
      isSequentialMessage: true,
      ...(cumulative ? { openSsmCumulative: true } : {}),
    });
    const bytes = encodeAgentMessage(
      {
        messageType: MessageType.Acknowledge,
        schemaVersion: 1,
        createdDate: this.environment.clock.now(),
        sequenceNumber: 0,
        flags: MessageFlags.SynFin,
        messageId: this.environment.randomUUID(),
        payloadType: PayloadType.None,
        payload,
      },
      this.digest,
    );
    this.transport.send(bytes);
    this.stats.acknowledgementsSent++;
  }

  private resendAllNow(): void {
    if (this.transport === undefined || this.paused) return;
    for (const message of this.window.values()) {
      if (message.lastSentAt !== undefined) {
        message.resends++;
        this.stats.messagesResent++;
      } else {
        this.stats.messagesSent++;
      }
      this.transmit(message);
    }
    this.scheduleResendTick();
  }

  private scheduleResendTick(): void {
    if (this.resendTimer !== undefined || this.closed) return;
    this.resendTimer = this.environment.clock.setTimeout(
      () => this.onResendTick(),
      this.config.resendTickMs,
    );
  }

  private onResendTick(): void {
    this.resendTimer = undefined;
    if (this.closed) return;
    this.deliverBuffered();
    if (this.transport !== undefined && !this.paused) {
      const now = this.environment.clock.now();
      const rto = this.rtt.retransmissionTimeoutMs;
      let budget = this.config.maxResendsPerTick;
      let timedOut = false;
      for (const message of this.window.values()) {
        if (budget === 0) break;
        if (message.lastSentAt !== undefined && now - message.lastSentAt < rto) continue;
        // Beyond everything acknowledged while acknowledgements still come: queued behind the
        // data that is being acknowledged, not lost (resending it would only lengthen the
        // queue). A hole below an acknowledged message, or silence for a whole RTO, is resent.
        const queued =
          message.sequenceNumber > this.highestAcknowledged && now - this.progressAt < rto;
        if (message.lastSentAt !== undefined && queued) continue;
        if (message.resends >= this.config.maxResendAttempts) {
          this.fail(
            new CodedError(
              'ResendLimitExceeded',
              `message ${message.sequenceNumber} was not acknowledged after ${message.resends} resends`,
            ),
          );
          return;
        }
        if (message.lastSentAt === undefined) this.stats.messagesSent++;
        else {
          message.resends++;
          this.stats.messagesResent++;
          timedOut = true;
        }
        this.transmit(message);
        budget--;
      }
      // A timeout means the estimate was too short (or the link is down): wait longer before
      // the next round, as TCP does, instead of resending a full window every tick while a
      // queue drains — the resends would only lengthen that queue.
      if (timedOut) this.rtt.backOff();
    }
    const waitingDelivery = this.incoming.get(this.expectedSequenceNumber) !== undefined;
    if (this.window.size > 0 || waitingDelivery) this.scheduleResendTick();
  }

  private fail(error: CodedError): void {
    this.close();
    this.handlers.onFailure?.(error);
  }

  private clearTimer(which: 'resend' | 'ack'): void {
    const handle = which === 'resend' ? this.resendTimer : this.cumulativeAckTimer;
    if (handle === undefined) return;
    this.environment.clock.clearTimeout(handle);
    if (which === 'resend') this.resendTimer = undefined;
    else this.cumulativeAckTimer = undefined;
  }
}
