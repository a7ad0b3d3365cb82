// The session handshake of ssm-wire §4.8 for both roles, and OpenSSM's transport negotiation in it
// (docs/decisions/0001): the agent asks, the client answers, the agent confirms. Each role sees
// every in-order stream message first and says whether the handshake consumed it.

import {
  CodedError,
  HandshakeActionStatus,
  HandshakeActionType,
  PayloadType,
  SessionType,
  createOpenSSMTransportResult,
  encodeHandshakeComplete,
  encodeHandshakeRequest,
  encodeHandshakeResponse,
  isActionSuccess,
  isHandshakePayloadType,
  parseHandshakeComplete,
  parseHandshakeRequest,
  parseHandshakeResponse,
  parseOpenSSMTransportResult,
  type HandshakeRequest,
  type JsonValue,
  type OpenSSMTransportParameters,
  type ProcessedClientAction,
  type RequestedClientAction,
} from '@openssm/protocol';
import {
  OPENSSM_TRANSPORT_SENDING,
  resolveChannelConfig,
  type ChannelConfig,
} from './channel-config.js';
import type { DataChannel } from './data-channel.js';
import type { StreamMessage } from './incoming-buffer.js';
import type { Clock, TimerHandle } from './ports.js';

/** AWS's agent waits 15 s for the HandshakeResponse before failing the session (§4.8). */
export const HANDSHAKE_TIMEOUT_MS = 15_000;

type HandshakeState = 'idle' | 'waiting' | 'complete' | 'failed';

/** The channel settings negotiated transport limits stand for. */
function transportConfig(
  channel: DataChannel,
  transport: OpenSSMTransportParameters,
): Partial<ChannelConfig> {
  const current = channel.currentConfig;
  return {
    ...OPENSSM_TRANSPORT_SENDING,
    // A channel configured for less keeps its own bound.
    windowBytes: Math.min(current.windowBytes, OPENSSM_TRANSPORT_SENDING.windowBytes),
    maxPayloadLength: transport.maxPayloadLength,
    windowSize: Math.min(current.windowSize, transport.windowSize),
    cumulativeAcks: transport.cumulativeAcks,
    // TLS protects both legs (decision 0012): no SHA-256 per message, either way.
    ...(transport.skipPayloadDigest === true
      ? { writePayloadDigests: false, verifyPayloadDigests: false }
      : {}),
  };
}

/** Applies negotiated transport limits to a channel (both roles do it at their switch point). */
function applyTransport(channel: DataChannel, transport: OpenSSMTransportParameters): void {
  channel.reconfigure(transportConfig(channel, transport));
}

/**
 * Throws now if the channel could not switch to `bound` (say `windowBytes` below its payload
 * length): negotiated values never exceed the offer or the limits, so the switch cannot fail
 * halfway through the handshake, where it would leave one end waiting forever.
 */
function assertTransportFits(channel: DataChannel, bound: OpenSSMTransportParameters): void {
  resolveChannelConfig({ ...channel.currentConfig, ...transportConfig(channel, bound) });
}

/** `error` itself when it already is a HandshakeFailed, else a HandshakeFailed caused by it. */
function asHandshakeFailure(error: unknown, message: string): CodedError {
  return error instanceof CodedError && error.code === 'HandshakeFailed'
    ? error
    : new CodedError('HandshakeFailed', message, { cause: error });
}

/** A promise with its settle functions, settled once. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failure is also reported through the channel's owner; never an unhandled rejection here.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

// ---- Agent role ------------------------------------------------------------------------------

export interface AgentHandshakeOptions {
  readonly channel: DataChannel;
  readonly clock: Clock;
  readonly agentVersion: string;
  readonly sessionType: string;
  /** The Session document's resolved properties (Port sessions), else null. */
  readonly properties: JsonValue;
  /** Offer OpenSSM's transport; omit to keep AWS's 1 KiB, ack-per-message mode. */
  readonly transportOffer?: OpenSSMTransportParameters;
  readonly customerMessage?: string;
  readonly timeoutMs?: number;
}

export interface AgentHandshakeOutcome {
  readonly clientVersion: string;
  /** Set when the client accepted the OpenSSM transport; the channel already uses it. */
  readonly transport?: OpenSSMTransportParameters;
}

export class AgentHandshake {
  private state: HandshakeState = 'idle';
  private startedAt = 0;
  private timer: TimerHandle | undefined;
  private readonly outcome = deferred<AgentHandshakeOutcome>();

  constructor(private readonly options: AgentHandshakeOptions) {}

  /** Resolves when the client answered and HandshakeComplete is queued; rejects with a CodedError. */
  get done(): Promise<AgentHandshakeOutcome> {
    return this.outcome.promise;
  }

  /** Sends the HandshakeRequest and starts the response timeout. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('handshake already started');
    const { channel, clock, transportOffer } = this.options;
    // HandshakeComplete goes out before any switch and cannot be split: check now that it fits,
    // or `done` would resolve while the client waits forever for a message that was never sent.
    const longestComplete = encodeHandshakeComplete({
      handshakeTimeToComplete: Number.MAX_SAFE_INTEGER,
      customerMessage: this.options.customerMessage ?? '',
    });
    const limit = channel.currentConfig.maxControlPayloadLength;
    if (longestComplete.length > limit) {
      throw new RangeError(`customerMessage makes HandshakeComplete longer than ${limit} bytes`);
    }
    if (transportOffer !== undefined) assertTransportFits(channel, transportOffer);
    const actions: RequestedClientAction[] = [
      {
        known: true,
        actionType: HandshakeActionType.SessionType,
        actionParameters: {
          sessionType: this.options.sessionType,
          properties: this.options.properties,
        },
      },
    ];
    if (transportOffer !== undefined) {
      actions.push({
        known: true,
        actionType: HandshakeActionType.OpenSSMTransport,
        actionParameters: transportOffer,
      });
    }
    if (transportOffer?.skipPayloadDigest === true) {
      // The client stops writing digests as soon as it accepts, and a message of its may be
      // encoded after that switch yet read here before its answer: stop checking now. (AWS's
      // agent never checks them; they come back on if the client declines.)
      channel.reconfigure({ verifyPayloadDigests: false });
    }
    this.state = 'waiting';
    this.startedAt = clock.now();
    this.timer = clock.setTimeout(
      () =>
        this.fail(
          new CodedError(
            'HandshakeTimedOut',
            'Handshake timed out. Please ensure that you have the latest version of the session manager plugin.',
          ),
        ),
      this.options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    );
    try {
      await channel.send(
        PayloadType.HandshakeRequest,
        encodeHandshakeRequest({
          agentVersion: this.options.agentVersion,
          requestedClientActions: actions,
        }),
      );
    } catch (error) {
      // Settle `done` now rather than with a misleading timeout 15 s later.
      this.fail(
        new CodedError('HandshakeFailed', 'the HandshakeRequest could not be sent', {
          cause: error,
        }),
      );
      throw error;
    }
  }

  /** True when the handshake consumed `message` (the session must not see it). */
  handle(message: StreamMessage): boolean {
    if (this.state === 'complete') return isHandshakePayloadType(message.payloadType);
    if (this.state !== 'waiting') return true;
    if (message.payloadType !== PayloadType.HandshakeResponse) {
      // AWS's agent acks and discards data that arrives before the handshake completed.
      return true;
    }
    try {
      this.complete(message.payload);
    } catch (error) {
      this.fail(asHandshakeFailure(error, 'the HandshakeResponse is not valid'));
    }
    return true;
  }

  private complete(payload: Uint8Array): void {
    const response = parseHandshakeResponse(payload);
    const sessionAction = findAction(
      response.processedClientActions,
      HandshakeActionType.SessionType,
    );
    if (sessionAction === undefined || !isActionSuccess(sessionAction)) {
      const reason = sessionAction?.error || 'no answer to the SessionType action';
      throw new CodedError('HandshakeFailed', `the client refused the session: ${reason}`);
    }
    const offer = this.options.transportOffer;
    const transportAction = findAction(
      response.processedClientActions,
      HandshakeActionType.OpenSSMTransport,
    );
    // Anything but an explicit success (AWS's plugin answers "unsupported") keeps AWS's mode.
    const transport =
      offer !== undefined && transportAction !== undefined && isActionSuccess(transportAction)
        ? parseOpenSSMTransportResult(transportAction.actionResult, offer)
        : undefined;
    this.clearTimer();
    this.state = 'complete';
    const { channel, clock } = this.options;
    void channel
      .send(
        PayloadType.HandshakeComplete,
        encodeHandshakeComplete({
          handshakeTimeToComplete: Math.round((clock.now() - this.startedAt) * 1_000_000),
          customerMessage: this.options.customerMessage ?? '',
        }),
      )
      .catch(() => undefined); // a closed channel is reported by its owner
    if (transport !== undefined) applyTransport(channel, transport);
    if (offer?.skipPayloadDigest === true && transport?.skipPayloadDigest !== true) {
      channel.reconfigure({ verifyPayloadDigests: true });
    }
    this.outcome.resolve({
      clientVersion: response.clientVersion,
      ...(transport === undefined ? {} : { transport }),
    });
  }

  private fail(error: CodedError): void {
    if (this.state === 'failed' || this.state === 'complete') return;
    this.clearTimer();
    this.state = 'failed';
    this.outcome.reject(error);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

// ---- Client role -----------------------------------------------------------------------------

/** The session types every client handles: shell-like ones as a terminal, Port as a forward. */
const DEFAULT_CLIENT_SESSION_TYPES: readonly string[] = Object.values(SessionType);

export interface ClientHandshakeOptions {
  readonly channel: DataChannel;
  readonly clientVersion: string;
  readonly supportedSessionTypes?: readonly string[];
  /** The most this client accepts of an OpenSSM transport offer; omit to decline it. */
  readonly transportLimits?: OpenSSMTransportParameters;
}

export interface ClientHandshakeOutcome {
  /** False when the agent sent output straight away (no handshake: a plain shell). */
  readonly handshake: boolean;
  readonly sessionType: string;
  readonly properties: JsonValue;
  readonly agentVersion: string;
  readonly customerMessage: string;
  readonly transport?: OpenSSMTransportParameters;
}

export class ClientHandshake {
  private state: 'waiting-request' | 'waiting-complete' | 'complete' | 'failed' = 'waiting-request';
  private request: HandshakeRequest | undefined;
  private sessionType: string = SessionType.StandardStream;
  private properties: JsonValue = null;
  private transport: OpenSSMTransportParameters | undefined;
  private readonly outcome = deferred<ClientHandshakeOutcome>();

  constructor(private readonly options: ClientHandshakeOptions) {
    if (options.transportLimits !== undefined) {
      assertTransportFits(options.channel, options.transportLimits);
    }
  }

  /** Resolves when the session may start (HandshakeComplete, or output without a handshake). */
  get done(): Promise<ClientHandshakeOutcome> {
    return this.outcome.promise;
  }

  /** True when the handshake consumed `message` (the session must not see it). */
  handle(message: StreamMessage): boolean {
    if (this.state === 'complete' || this.state === 'failed') {
      return isHandshakePayloadType(message.payloadType);
    }
    try {
      return this.step(message);
    } catch (error) {
      this.state = 'failed';
      this.outcome.reject(asHandshakeFailure(error, 'the agent sent an invalid handshake'));
      return true;
    }
  }

  private step(message: StreamMessage): boolean {
    switch (message.payloadType) {
      case PayloadType.HandshakeRequest:
        if (this.state !== 'waiting-request') return true; // a repeated request: answered already
        this.answer(parseHandshakeRequest(message.payload));
        return true;
      case PayloadType.HandshakeComplete: {
        if (this.state !== 'waiting-complete') {
          throw new CodedError('HandshakeFailed', 'HandshakeComplete arrived before a request');
        }
        const complete = parseHandshakeComplete(message.payload);
        this.finish(true, complete.customerMessage);
        return true;
      }
      case PayloadType.EncChallengeRequest:
        throw new CodedError('HandshakeFailed', 'KMS encryption is not supported by this client');
      case PayloadType.HandshakeResponse:
      case PayloadType.EncChallengeResponse:
        // Types only a client sends: never the session's, and not a sign the handshake was skipped.
        return true;
      default:
        if (this.state === 'waiting-request') {
          // Output before any request: the agent skipped the handshake (shell without KMS).
          this.finish(false, '');
        }
        return false;
    }
  }

  private answer(request: HandshakeRequest): void {
    this.request = request;
    const processed = request.requestedClientActions.map((action) => this.process(action));
    const errors = processed.filter((action) => action.error !== '').map((action) => action.error);
    this.state = 'waiting-complete';
    const { channel } = this.options;
    void channel
      .send(
        PayloadType.HandshakeResponse,
        encodeHandshakeResponse({
          clientVersion: this.options.clientVersion,
          processedClientActions: processed,
          errors: errors.length > 0 ? errors : null,
        }),
      )
      .catch(() => undefined); // a closed channel is reported by its owner
    // Switch right after the response: the agent switches when it reads it (decision 0001).
    if (this.transport !== undefined) applyTransport(channel, this.transport);
  }

  private process(action: RequestedClientAction): ProcessedClientAction {
    const result = (
      status: number,
      actionResult: JsonValue,
      error = '',
    ): ProcessedClientAction => ({
      actionType: action.actionType,
      actionStatus: status as ProcessedClientAction['actionStatus'],
      actionResult,
      error,
    });
    if (!action.known) {
      return result(
        HandshakeActionStatus.Unsupported,
        null,
        `Unsupported action ${action.actionType}`,
      );
    }
    switch (action.actionType) {
      case HandshakeActionType.SessionType: {
        const { sessionType, properties } = action.actionParameters;
        const supported = this.options.supportedSessionTypes ?? DEFAULT_CLIENT_SESSION_TYPES;
        if (!supported.includes(sessionType)) {
          return result(
            HandshakeActionStatus.Failed,
            null,
            `Failed to process action SessionType: unknown session type ${sessionType}`,
          );
        }
        this.sessionType = sessionType;
        this.properties = properties;
        return result(HandshakeActionStatus.Success, null);
      }
      case HandshakeActionType.KMSEncryption:
        return result(
          HandshakeActionStatus.Failed,
          null,
          'Failed to process action KMSEncryption: KMS encryption is not supported by this client',
        );
      case HandshakeActionType.OpenSSMTransport: {
        const limits = this.options.transportLimits;
        if (limits === undefined) {
          return result(
            HandshakeActionStatus.Unsupported,
            null,
            'Unsupported action OpenSSMTransport',
          );
        }
        const offer = action.actionParameters;
        this.transport = {
          maxPayloadLength: Math.min(offer.maxPayloadLength, limits.maxPayloadLength),
          windowSize: Math.min(offer.windowSize, limits.windowSize),
          cumulativeAcks: offer.cumulativeAcks && limits.cumulativeAcks,
          ...(offer.skipPayloadDigest === true && limits.skipPayloadDigest === true
            ? { skipPayloadDigest: true }
            : {}),
        };
        return result(HandshakeActionStatus.Success, createOpenSSMTransportResult(this.transport));
      }
    }
  }

  private finish(handshake: boolean, customerMessage: string): void {
    this.state = 'complete';
    this.outcome.resolve({
      handshake,
      sessionType: this.sessionType,
      properties: this.properties,
      agentVersion: this.request?.agentVersion ?? '',
      customerMessage,
      ...(this.transport === undefined ? {} : { transport: this.transport }),
    });
  }
}

function findAction(
  actions: readonly ProcessedClientAction[],
  type: string,
): ProcessedClientAction | undefined {
  return actions.find((action) => action.actionType === type);
}
