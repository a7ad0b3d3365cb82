// Tunables of the data-channel engine with the reason for each default. AWS's values come from
// ssm-wire §4.7; where we deviate (push back instead of evicting) the reason is given.

import type { OpenSSMTransportParameters } from '@openssm/protocol';

export interface ChannelConfig {
  /** Largest payload this end puts in one stream message. */
  readonly maxPayloadLength: number;
  /**
   * Largest single-message payload (handshake JSON, Size, Flag): these are never split, and
   * AWS's endpoints send them whole whatever their stream payload size.
   */
  readonly maxControlPayloadLength: number;
  /** Largest payload accepted from the peer; checked before anything is allocated. */
  readonly maxIncomingPayloadLength: number;
  /** Unacknowledged messages allowed in flight before `send` waits. */
  readonly windowSize: number;
  /** Unacknowledged payload bytes allowed in flight before `send` waits. */
  readonly windowBytes: number;
  /** Out-of-order messages held while waiting for a gap to fill. */
  readonly incomingBufferSize: number;
  readonly resendTickMs: number;
  /** Messages resent per tick at most, so a long outage does not end in a resend storm. */
  readonly maxResendsPerTick: number;
  /** Resends of one message before the channel fails; Infinity never gives up. */
  readonly maxResendAttempts: number;
  readonly initialRttMs: number;
  readonly initialRttVarMs: number;
  readonly initialRtoMs: number;
  readonly minRtoVarianceMs: number;
  /** The retransmission timeout never goes below this (0: AWS's rule alone). */
  readonly minRtoMs: number;
  readonly maxRtoMs: number;
  /** In cumulative-ack mode: acknowledge after this many in-order messages at the latest. */
  readonly cumulativeAckEvery: number;
  /**
   * In cumulative-ack mode: acknowledge once this many payload bytes arrived in order, at the
   * latest. Counting messages alone lets a few large messages go unacknowledged for long.
   */
  readonly cumulativeAckBytes: number;
  /** In cumulative-ack mode: acknowledge after this delay at the latest. */
  readonly cumulativeAckDelayMs: number;
  /** Acknowledge with one cumulative ack instead of one per message (OpenSSM peers only). */
  readonly cumulativeAcks: boolean;
  /** Put the payload's SHA-256 in messages we send (else zeros: decision 0012, TLS both legs). */
  readonly writePayloadDigests: boolean;
  /** Check the payload digest of messages we receive (AWS's plugin does; AWS's agent does not). */
  readonly verifyPayloadDigests: boolean;
}

/** AWS's payload size: what the plugin and agent produce and what we send to AWS peers. */
export const AWS_MAX_PAYLOAD_LENGTH = 1024;

export const DEFAULT_CHANNEL_CONFIG: ChannelConfig = {
  maxPayloadLength: AWS_MAX_PAYLOAD_LENGTH,
  // Holds any Session document's properties and the longest customer message our parsers accept.
  maxControlPayloadLength: 64 * 1024,
  maxIncomingPayloadLength: 1024 * 1024,
  // AWS's plugin holds 10,000 out-of-order messages; staying below that means a gap never makes
  // it drop what we sent. 1,000 × 1 KiB in flight is far beyond any loopback or WAN BDP we need.
  windowSize: 1000,
  windowBytes: 16 * 1024 * 1024,
  incomingBufferSize: 10_000,
  resendTickMs: 100,
  maxResendsPerTick: 256,
  // The plugin gives up after 3,000 resends (about 5 minutes at one per 100 ms tick).
  maxResendAttempts: 3000,
  initialRttMs: 100,
  initialRttVarMs: 0,
  initialRtoMs: 200,
  minRtoVarianceMs: 10,
  minRtoMs: 0,
  maxRtoMs: 1000,
  cumulativeAckEvery: 32,
  // 32 × 64 KiB would leave 2 MiB unacknowledged: the sender's window (below) would then stall
  // between acks and its retransmission clock would run on data long delivered. A quarter MiB
  // is one ack per four bulk messages, a few hundred bytes per MiB moved.
  cumulativeAckBytes: 256 * 1024,
  // Every ack crosses three processes through the relay, and on a busy session it lands in the
  // middle of somebody's keystroke; bulk transfers are acked by count long before this delay.
  // Measured with bench/keystroke-echo.mjs: 2 ms put an ack beside every fourth keystroke.
  cumulativeAckDelayMs: 20,
  cumulativeAcks: false,
  writePayloadDigests: true,
  verifyPayloadDigests: true,
};

/** What our agent offers, and our client accepts at most, in the OpenSSMTransport handshake action. */
export const OPENSSM_TRANSPORT_OFFER: OpenSSMTransportParameters = Object.freeze({
  // One socket read (64 KiB in Node) framed as smux (two frames: a frame carries at most 65,535
  // bytes) is 65,552 bytes: at 64 KiB every read became a full message and a 16-byte one. 128 KiB
  // carries a read in one message and stays far below the 1 MiB decode ceiling, so a bulk
  // message never starves keystrokes on another socket.
  maxPayloadLength: 128 * 1024,
  // Counted in messages, and a shell's output often comes as many small reads: 1,024 keeps a
  // slow or lossy link busy (the byte bound, windowBytes, still caps memory), where 256 stalled
  // a printing shell after a few hundred lines whenever acknowledgements were delayed.
  windowSize: 1024,
  cumulativeAcks: true,
});

/**
 * How this end runs its side of an OpenSSM transport, on top of the negotiated values. Local
 * choices, not on the wire: each end bounds what it sends itself.
 */
export const OPENSSM_TRANSPORT_SENDING = Object.freeze({
  // What sits unacknowledged is queued somewhere between three processes; at the 16 MiB of
  // AWS's mode a bulk transfer queued a second's worth, the retransmission timer fired on data
  // that was merely waiting, and the resends (a full window per tick) lengthened the queue
  // further (bench/port-forward.mjs: as many resends as sends). 4 MiB still covers a loopback
  // or LAN path's bandwidth-delay product many times over.
  windowBytes: 4 * 1024 * 1024,
  // Both legs are TCP: a message is lost only when a WebSocket drops (the relay drops what it
  // could not forward), and a reconnect resends everything at once anyway. A timer shorter
  // than a busy machine's scheduling delays only produces duplicates.
  minRtoMs: 1000,
  maxRtoMs: 4000,
} satisfies Partial<ChannelConfig>);

export function resolveChannelConfig(overrides: Partial<ChannelConfig> = {}): ChannelConfig {
  const config = { ...DEFAULT_CHANNEL_CONFIG, ...overrides };
  for (const [key, value] of Object.entries(config)) {
    const mayBeZero = key === 'initialRttVarMs' || key === 'minRtoMs';
    if (typeof value === 'number' && !(value > 0 || (value === 0 && mayBeZero))) {
      throw new RangeError(`channel config ${key} must be positive, got ${value}`);
    }
  }
  if (config.minRtoMs > config.maxRtoMs) {
    throw new RangeError('channel config minRtoMs must not exceed maxRtoMs');
  }
  if (config.maxPayloadLength > config.windowBytes) {
    throw new RangeError('channel config windowBytes must hold at least one full message');
  }
  return Object.freeze(config);
}
