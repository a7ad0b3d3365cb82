// Unit tests of the data-channel engine against a raw peer that builds frames by hand and reads
// every frame the engine sends: message types, flags, ack rules, reordering, duplicates, resend,
// window backpressure, publication, cumulative acks, failures and bad input.

import {
  DataChannel,
  RttEstimator,
  resolveChannelConfig,
  type ChannelConfig,
  type ChannelRole,
  type DataChannelHandlers,
  type StreamMessage,
} from '@openssm/channel';
import {
  CodedError,
  MessageFlags,
  MessageType,
  PayloadType,
  decodeAgentMessage,
  encodeAcknowledgeContent,
  encodeAgentMessage,
  encodeUtf8,
  parseAcknowledgeContent,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { FakeClock, createRandom, nodeSha256 } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import { flushMicrotasks, seededUuid } from './harness.js';

interface Rig {
  readonly clock: FakeClock;
  readonly channel: DataChannel;
  /** Every frame the engine sent, decoded. */
  readonly sent: DecodedAgentMessage[];
  readonly delivered: StreamMessage[];
  readonly other: DecodedAgentMessage[];
  readonly failures: CodedError[];
  accept: boolean;
  /** Refuse messages with this text while set (a session that is busy with one message). */
  refuseText: string | undefined;
  /** Frames the engine sent of one message type. */
  sentOf(type: string): DecodedAgentMessage[];
  /** Acknowledged sequence numbers, in order. */
  ackedSequences(): number[];
}

function createRig(role: ChannelRole, config: Partial<ChannelConfig> = {}, attach = true): Rig {
  const clock = new FakeClock();
  const random = createRandom(42);
  const sent: DecodedAgentMessage[] = [];
  const rig: Rig = {
    clock,
    sent,
    delivered: [],
    other: [],
    failures: [],
    accept: true,
    refuseText: undefined,
    channel: undefined as unknown as DataChannel,
    sentOf: (type) => sent.filter((frame) => frame.messageType === type),
    ackedSequences: () =>
      rig
        .sentOf(MessageType.Acknowledge)
        .map((frame) => parseAcknowledgeContent(frame.payload).acknowledgedSequenceNumber),
  };
  const handlers: DataChannelHandlers = {
    onStreamMessage: (message) => {
      if (!rig.accept || text(message) === rig.refuseText) return false;
      rig.delivered.push({ ...message, payload: Uint8Array.from(message.payload) });
      return true;
    },
    onOtherMessage: (message) => rig.other.push(message),
    onFailure: (error) => rig.failures.push(error),
  };
  const channel = new DataChannel({
    role,
    environment: { clock, sha256: nodeSha256, randomUUID: seededUuid(random) },
    handlers,
    config,
  });
  if (attach) channel.attach(transportInto(sent));
  return Object.assign(rig, { channel });
}

function transportInto(sent: DecodedAgentMessage[]) {
  return { send: (bytes: Uint8Array) => sent.push(decodeAgentMessage(Uint8Array.from(bytes))) };
}

let idCounter = 0;
function nextId(): string {
  idCounter++;
  return `00000000-0000-4000-8000-${idCounter.toString(16).padStart(12, '0')}`;
}

/** A stream message as the peer of `role` would send it. */
function peerData(
  role: ChannelRole,
  sequenceNumber: number,
  payload: string | Uint8Array = `m${sequenceNumber}`,
  payloadType: number = PayloadType.Output,
): Uint8Array {
  return encodeAgentMessage(
    {
      messageType: role === 'client' ? MessageType.OutputStreamData : MessageType.InputStreamData,
      schemaVersion: 1,
      createdDate: 1_795_719_693_230,
      sequenceNumber,
      flags: 0,
      messageId: nextId(),
      payloadType,
      payload: typeof payload === 'string' ? encodeUtf8(payload) : payload,
    },
    nodeSha256,
  );
}

function controlFrame(messageType: string, payload = '{"SchemaVersion":1}'): Uint8Array {
  return encodeAgentMessage(
    {
      messageType,
      schemaVersion: 1,
      createdDate: 1_795_719_693_230,
      sequenceNumber: 0,
      flags: MessageFlags.SynFin,
      messageId: nextId(),
      payloadType: PayloadType.None,
      payload: encodeUtf8(payload),
    },
    nodeSha256,
  );
}

/** The peer's acknowledgement of one of the engine's frames. */
function ackOf(frame: DecodedAgentMessage, cumulative = false): Uint8Array {
  return encodeAgentMessage(
    {
      messageType: MessageType.Acknowledge,
      schemaVersion: 1,
      createdDate: 1_795_719_693_230,
      sequenceNumber: 0,
      flags: MessageFlags.SynFin,
      messageId: nextId(),
      payloadType: PayloadType.None,
      payload: encodeAcknowledgeContent({
        acknowledgedMessageType: frame.messageType,
        acknowledgedMessageId: frame.messageId,
        acknowledgedSequenceNumber: frame.sequenceNumber,
        isSequentialMessage: true,
        ...(cumulative ? { openSsmCumulative: true } : {}),
      }),
    },
    nodeSha256,
  );
}

const text = (message: StreamMessage) => new TextDecoder().decode(message.payload);

describe('sending', () => {
  it('numbers client messages from 0 as input_stream_data without flags', async () => {
    const rig = createRig('client');
    await rig.channel.send(PayloadType.Size, encodeUtf8('{"cols":300,"rows":100}'));
    await rig.channel.send(PayloadType.Output, encodeUtf8('ls\n'));
    expect(rig.sent.map((f) => [f.messageType, f.sequenceNumber, f.flags, f.payloadType])).toEqual([
      [MessageType.InputStreamData, 0, 0, PayloadType.Size],
      [MessageType.InputStreamData, 1, 0, PayloadType.Output],
    ]);
    expect(rig.channel.inFlight).toBe(2);
  });

  it('marks the agent’s first output_stream_data with SYN and no other', async () => {
    const rig = createRig('agent');
    await rig.channel.send(PayloadType.Output, encodeUtf8('a'));
    await rig.channel.send(PayloadType.Output, encodeUtf8('b'));
    expect(rig.sent.map((f) => [f.messageType, f.sequenceNumber, f.flags])).toEqual([
      [MessageType.OutputStreamData, 0, MessageFlags.Syn],
      [MessageType.OutputStreamData, 1, 0],
    ]);
  });

  it('removes a message from the window on its ack and learns the round trip', async () => {
    const rig = createRig('client');
    await rig.channel.send(PayloadType.Output, encodeUtf8('x'));
    const before = rig.channel.retransmissionTimeoutMs;
    rig.clock.advance(30);
    rig.channel.receive(ackOf(rig.sent[0]!));
    expect(rig.channel.inFlight).toBe(0);
    expect(rig.channel.retransmissionTimeoutMs).not.toBe(before);
  });

  it('resends an unacknowledged message byte-identically after the RTO, then stops once acked', async () => {
    const rig = createRig('client');
    await rig.channel.send(PayloadType.Output, encodeUtf8('x'));
    rig.clock.advance(150);
    expect(rig.sent).toHaveLength(1);
    rig.clock.advance(100);
    expect(rig.sent).toHaveLength(2);
    expect(rig.sent[1]!.messageId).toBe(rig.sent[0]!.messageId);
    expect(rig.sent[1]!.createdDate).toBe(rig.sent[0]!.createdDate);
    expect(rig.channel.stats.messagesResent).toBe(1);
    const rto = rig.channel.retransmissionTimeoutMs;
    rig.channel.receive(ackOf(rig.sent[0]!));
    // Karn's rule: an ack of a resent message is no RTT sample.
    expect(rig.channel.retransmissionTimeoutMs).toBe(rto);
    rig.clock.advance(5000);
    expect(rig.sent).toHaveLength(2);
    expect(rig.clock.pendingTimers).toBe(0);
  });

  it('does not resend messages queued behind ones still being acknowledged', async () => {
    const rig = createRig('client');
    for (const text of ['0', '1', '2'])
      await rig.channel.send(PayloadType.Output, encodeUtf8(text));
    rig.clock.advance(150);
    rig.channel.receive(ackOf(rig.sent[0]!));
    rig.clock.advance(150);
    // 300 ms old, past the RTO, but the peer acknowledged something 150 ms ago.
    expect(rig.channel.stats.messagesResent).toBe(0);
    rig.clock.advance(100);
    // No progress for a whole RTO: both are resent.
    expect(rig.sent.slice(3).map((frame) => frame.sequenceNumber)).toEqual([1, 2]);
  });

  it('resends a hole below an acknowledged message at the RTO, while acks still come', async () => {
    const rig = createRig('client');
    for (const text of ['0', '1', '2'])
      await rig.channel.send(PayloadType.Output, encodeUtf8(text));
    rig.clock.advance(150);
    rig.channel.receive(ackOf(rig.sent[2]!));
    rig.clock.advance(100);
    expect(rig.sent.slice(3).map((frame) => frame.sequenceNumber)).toEqual([0, 1]);
  });

  it('doubles the RTO after a timeout, so a slow queue is not flooded with resends', async () => {
    const rig = createRig('client');
    await rig.channel.send(PayloadType.Output, encodeUtf8('x'));
    rig.clock.advance(200);
    expect(rig.channel.stats.messagesResent).toBe(1);
    expect(rig.channel.retransmissionTimeoutMs).toBe(400);
    rig.clock.advance(300);
    expect(rig.channel.stats.messagesResent).toBe(1);
    rig.clock.advance(100);
    expect(rig.channel.stats.messagesResent).toBe(2);
    expect(rig.channel.retransmissionTimeoutMs).toBe(800);
    rig.clock.advance(5000);
    // Capped at maxRtoMs (1 s).
    expect(rig.channel.retransmissionTimeoutMs).toBe(1000);
  });

  it('keeps the RTO at or above minRtoMs, also after reconfigure', async () => {
    const rig = createRig('client');
    rig.channel.reconfigure({ minRtoMs: 1000, maxRtoMs: 4000 });
    expect(rig.channel.retransmissionTimeoutMs).toBe(1000);
    await rig.channel.send(PayloadType.Output, encodeUtf8('x'));
    rig.clock.advance(5);
    rig.channel.receive(ackOf(rig.sent[0]!));
    expect(rig.channel.retransmissionTimeoutMs).toBe(1000);
    await rig.channel.send(PayloadType.Output, encodeUtf8('y'));
    rig.clock.advance(999);
    expect(rig.channel.stats.messagesResent).toBe(0);
    rig.clock.advance(100);
    expect(rig.channel.stats.messagesResent).toBe(1);
    expect(rig.channel.retransmissionTimeoutMs).toBe(2000);
  });

  it('cuts long Output into messages of at most maxPayloadLength and keeps their order', async () => {
    const rig = createRig('agent');
    const payload = Uint8Array.from({ length: 2500 }, (_, i) => i % 251);
    await rig.channel.send(PayloadType.Output, payload);
    expect(rig.sent.map((f) => f.payload.length)).toEqual([1024, 1024, 452]);
    const joined = new Uint8Array(2500);
    let offset = 0;
    for (const frame of rig.sent) {
      joined.set(frame.payload, offset);
      offset += frame.payload.length;
    }
    expect(joined).toEqual(payload);
  });

  it('sends a non-stream payload whole up to its limit, refuses a larger one, and sends nothing for an empty one', async () => {
    const rig = createRig('client');
    await expect(
      rig.channel.send(PayloadType.Size, new Uint8Array(64 * 1024 + 1)),
    ).rejects.toMatchObject({ code: 'PayloadTooLarge' });
    // Up to maxControlPayloadLength a non-stream payload goes whole, never split.
    await rig.channel.send(PayloadType.HandshakeResponse, new Uint8Array(5000));
    expect(rig.sent.map((frame) => frame.payload.length)).toEqual([5000]);
    rig.sent.length = 0;
    await rig.channel.send(PayloadType.Output, new Uint8Array(0));
    expect(rig.sent).toHaveLength(0);
  });

  it('makes the producer wait when the window is full instead of dropping anything', async () => {
    const rig = createRig('client', { windowSize: 2 });
    await rig.channel.send(PayloadType.Output, encodeUtf8('0'));
    await rig.channel.send(PayloadType.Output, encodeUtf8('1'));
    let thirdAdmitted = false;
    const third = rig.channel.send(PayloadType.Output, encodeUtf8('2')).then(() => {
      thirdAdmitted = true;
    });
    await flushMicrotasks();
    expect(thirdAdmitted).toBe(false);
    expect(rig.channel.queued).toBe(1);
    expect(rig.sent).toHaveLength(2);
    rig.channel.receive(ackOf(rig.sent[0]!));
    await third;
    expect(rig.sent.map((f) => f.sequenceNumber)).toEqual([0, 1, 2]);
  });

  it('bounds the window by bytes too', async () => {
    const rig = createRig('client', { windowBytes: 1500 });
    await rig.channel.send(PayloadType.Output, new Uint8Array(1000));
    let admitted = false;
    void rig.channel.send(PayloadType.Output, new Uint8Array(1000)).then(() => (admitted = true));
    await flushMicrotasks();
    expect(admitted).toBe(false);
    rig.channel.receive(ackOf(rig.sent[0]!));
    await flushMicrotasks();
    expect(admitted).toBe(true);
  });

  it('holds messages while detached and sends them all on attach, keeping sequence numbers', async () => {
    const rig = createRig('client', {}, false);
    await rig.channel.send(PayloadType.Output, encodeUtf8('a'));
    await rig.channel.send(PayloadType.Output, encodeUtf8('b'));
    rig.clock.advance(1000);
    expect(rig.sent).toHaveLength(0);
    rig.channel.attach(transportInto(rig.sent));
    expect(rig.sent.map((f) => f.sequenceNumber)).toEqual([0, 1]);
    expect(rig.channel.stats.messagesSent).toBe(2);
    rig.channel.detach();
    rig.clock.advance(1000);
    rig.channel.attach(transportInto(rig.sent));
    expect(rig.sent.map((f) => f.sequenceNumber)).toEqual([0, 1, 0, 1]);
    expect(rig.channel.stats.messagesResent).toBe(2);
  });

  it('stops sending on pause_publication and resends on start_publication', async () => {
    const rig = createRig('agent');
    rig.channel.receive(controlFrame(MessageType.PausePublication));
    expect(rig.channel.isPaused).toBe(true);
    await rig.channel.send(PayloadType.Output, encodeUtf8('held'));
    rig.clock.advance(2000);
    expect(rig.sent).toHaveLength(0);
    rig.channel.receive(controlFrame(MessageType.StartPublication));
    expect(rig.channel.isPaused).toBe(false);
    expect(rig.sentOf(MessageType.OutputStreamData)).toHaveLength(1);
    expect(rig.other.map((m) => m.messageType)).toEqual([
      MessageType.PausePublication,
      MessageType.StartPublication,
    ]);
  });

  it('fails the channel after the resend limit and reports ResendLimitExceeded', async () => {
    const rig = createRig('client', { maxResendAttempts: 3 });
    await rig.channel.send(PayloadType.Output, encodeUtf8('x'));
    rig.clock.advance(10_000);
    expect(rig.failures.map((e) => e.code)).toEqual(['ResendLimitExceeded']);
    expect(rig.channel.isClosed).toBe(true);
    expect(rig.channel.stats.messagesResent).toBe(3);
  });

  it('resends at most maxResendsPerTick messages per tick', async () => {
    const rig = createRig('client', { maxResendsPerTick: 2 });
    for (let i = 0; i < 5; i++) await rig.channel.send(PayloadType.Output, encodeUtf8(`${i}`));
    rig.clock.advance(200);
    expect(rig.channel.stats.messagesResent).toBe(2);
  });
});

describe('receiving', () => {
  it('delivers in-order data and acks it after acceptance, naming type, id and sequence', () => {
    const rig = createRig('client');
    const bytes = peerData('client', 0, 'hello');
    rig.channel.receive(bytes);
    expect(rig.delivered.map(text)).toEqual(['hello']);
    const [ack] = rig.sentOf(MessageType.Acknowledge);
    expect(ack).toMatchObject({ sequenceNumber: 0, flags: MessageFlags.SynFin, payloadType: 0 });
    expect(parseAcknowledgeContent(ack!.payload)).toEqual({
      acknowledgedMessageType: MessageType.OutputStreamData,
      acknowledgedMessageId: decodeAgentMessage(bytes).messageId,
      acknowledgedSequenceNumber: 0,
      isSequentialMessage: true,
    });
  });

  it('neither acks nor consumes data the session refuses, and takes the resend', () => {
    const rig = createRig('agent');
    rig.accept = false;
    rig.channel.receive(peerData('agent', 0, 'first'));
    expect(rig.sentOf(MessageType.Acknowledge)).toHaveLength(0);
    rig.accept = true;
    rig.channel.receive(peerData('agent', 0, 'first'));
    expect(rig.delivered.map(text)).toEqual(['first']);
    expect(rig.ackedSequences()).toEqual([0]);
  });

  it('holds a refused in-order message and hands it over when the session is ready, acked then', () => {
    const rig = createRig('agent');
    rig.refuseText = 'm0';
    rig.channel.receive(peerData('agent', 0));
    rig.channel.receive(peerData('agent', 1));
    expect(rig.delivered).toHaveLength(0);
    expect(rig.ackedSequences()).toEqual([1]);
    rig.channel.retryDelivery();
    expect(rig.delivered).toHaveLength(0);
    rig.refuseText = undefined;
    // The consumer drained: no resend from the peer is needed.
    rig.channel.retryDelivery();
    expect(rig.delivered.map(text)).toEqual(['m0', 'm1']);
    expect(rig.ackedSequences()).toEqual([1, 0]);
    // A late resend of it is a duplicate: re-acked, not delivered again.
    rig.channel.receive(peerData('agent', 0));
    expect(rig.delivered).toHaveLength(2);
    expect(rig.ackedSequences()).toEqual([1, 0, 0]);
  });

  it('delivers a refused in-order message on the next tick when nobody says it is ready', () => {
    const rig = createRig('client');
    rig.refuseText = 'm0';
    rig.channel.receive(peerData('client', 0));
    rig.refuseText = undefined;
    rig.clock.advance(100);
    expect(rig.delivered.map(text)).toEqual(['m0']);
    expect(rig.ackedSequences()).toEqual([0]);
  });

  it('acks handshake payloads before handling them, even when the session refuses', () => {
    const rig = createRig('client');
    rig.accept = false;
    rig.channel.receive(peerData('client', 0, '{}', PayloadType.HandshakeRequest));
    expect(rig.ackedSequences()).toEqual([0]);
    rig.accept = true;
    rig.channel.receive(peerData('client', 1, 'next'));
    expect(rig.delivered.map(text)).toEqual(['next']);
  });

  it('acks early messages at once and delivers them when the gap fills', () => {
    const rig = createRig('client');
    rig.channel.receive(peerData('client', 2));
    rig.channel.receive(peerData('client', 1));
    expect(rig.delivered).toHaveLength(0);
    expect(rig.ackedSequences()).toEqual([2, 1]);
    rig.channel.receive(peerData('client', 0));
    expect(rig.delivered.map(text)).toEqual(['m0', 'm1', 'm2']);
    expect(rig.channel.stats.outOfOrderReceived).toBe(2);
  });

  it('re-acks a duplicate without delivering it twice', () => {
    const rig = createRig('client');
    rig.channel.receive(peerData('client', 0));
    rig.channel.receive(peerData('client', 0));
    expect(rig.delivered).toHaveLength(1);
    expect(rig.ackedSequences()).toEqual([0, 0]);
    expect(rig.channel.stats.duplicatesReceived).toBe(1);
  });

  it('keeps a buffered message the session cannot take yet and retries it on the next tick', () => {
    const rig = createRig('agent');
    rig.channel.receive(peerData('agent', 1));
    rig.refuseText = 'm1';
    rig.channel.receive(peerData('agent', 0));
    expect(rig.delivered.map(text)).toEqual(['m0']);
    rig.clock.advance(100);
    expect(rig.delivered.map(text)).toEqual(['m0']);
    rig.refuseText = undefined;
    rig.clock.advance(100);
    expect(rig.delivered.map(text)).toEqual(['m0', 'm1']);
  });

  it('keeps retrying a held message after an ack empties its own window', async () => {
    const rig = createRig('agent');
    await rig.channel.send(PayloadType.Output, encodeUtf8('out'));
    rig.channel.receive(peerData('agent', 1));
    rig.refuseText = 'm1';
    rig.channel.receive(peerData('agent', 0));
    // The peer acknowledges our only message: nothing is in flight any more.
    rig.channel.receive(ackOf(rig.sentOf(MessageType.OutputStreamData)[0]!));
    expect(rig.channel.inFlight).toBe(0);
    rig.refuseText = undefined;
    rig.clock.advance(100);
    expect(rig.delivered.map(text)).toEqual(['m0', 'm1']);
  });

  it('hands over held in-order messages when the session ends', () => {
    const rig = createRig('client');
    rig.channel.receive(peerData('client', 1));
    rig.channel.receive(peerData('client', 2));
    rig.refuseText = 'm1';
    rig.channel.receive(peerData('client', 0));
    expect(rig.channel.takeHeldInOrder().map(text)).toEqual(['m1', 'm2']);
    expect(rig.channel.takeHeldInOrder()).toEqual([]);
  });

  it('drops unacknowledged what lies beyond the incoming buffer', () => {
    const rig = createRig('client', { incomingBufferSize: 2 });
    rig.channel.receive(peerData('client', 5));
    rig.channel.receive(peerData('client', 1));
    rig.channel.receive(peerData('client', 2));
    rig.channel.receive(peerData('client', 3));
    expect(rig.ackedSequences()).toEqual([1, 2]);
    expect(rig.channel.stats.droppedAheadOfWindow).toBe(2);
  });

  it('passes channel_closed and agent_session_state on, and ignores unknown types after counting them', () => {
    const rig = createRig('client');
    rig.channel.receive(controlFrame(MessageType.ChannelClosed));
    rig.channel.receive(controlFrame(MessageType.AgentSessionState));
    rig.channel.receive(controlFrame('future_message_type'));
    rig.channel.receive(peerData('agent', 0)); // our own send type echoed back
    expect(rig.other.map((m) => m.messageType)).toEqual([
      MessageType.ChannelClosed,
      MessageType.AgentSessionState,
      'future_message_type',
      MessageType.InputStreamData,
    ]);
    expect(rig.channel.stats.ignoredMessages).toBe(2);
    expect(rig.delivered).toHaveLength(0);
  });

  it('throws a coded error for a bad frame or a bad ack payload, and keeps working', async () => {
    const rig = createRig('client');
    const corrupt = peerData('client', 0);
    corrupt[corrupt.length - 1]! ^= 0xff;
    expect(() => rig.channel.receive(corrupt)).toThrow(
      expect.objectContaining({ code: 'FrameDigestMismatch' }),
    );
    expect(() => rig.channel.receive(new Uint8Array(10))).toThrow(CodedError);
    expect(() => rig.channel.receive(controlFrame(MessageType.Acknowledge, '{}'))).toThrow(
      expect.objectContaining({ code: 'PayloadInvalid' }),
    );
    const small = createRig('client', { maxIncomingPayloadLength: 4 });
    expect(() => small.channel.receive(peerData('client', 0, 'too long'))).toThrow(
      expect.objectContaining({ code: 'FramePayloadTooLarge' }),
    );
    rig.channel.receive(peerData('client', 0));
    expect(rig.delivered).toHaveLength(1);
    await rig.channel.send(PayloadType.Output, encodeUtf8('still sending'));
  });
});

describe('cumulative acknowledgements (OpenSSM peers)', () => {
  it('acks every cumulativeAckEvery in-order messages with one cumulative ack', () => {
    const rig = createRig('client', { cumulativeAcks: true, cumulativeAckEvery: 4 });
    for (let seq = 0; seq < 8; seq++) rig.channel.receive(peerData('client', seq));
    const acks = rig.sentOf(MessageType.Acknowledge).map((f) => parseAcknowledgeContent(f.payload));
    expect(acks.map((a) => [a.acknowledgedSequenceNumber, a.openSsmCumulative])).toEqual([
      [3, true],
      [7, true],
    ]);
  });

  it('acks once cumulativeAckBytes arrived in order, however few messages carried them', () => {
    const rig = createRig('client', { cumulativeAcks: true, cumulativeAckBytes: 2048 });
    for (let seq = 0; seq < 4; seq++)
      rig.channel.receive(peerData('client', seq, new Uint8Array(1024)));
    expect(rig.ackedSequences()).toEqual([1, 3]);
    rig.clock.advance(100);
    expect(rig.ackedSequences()).toEqual([1, 3]);
  });

  it('flushes a partial batch after the ack delay, and acks out-of-order arrivals one by one', () => {
    const rig = createRig('client', { cumulativeAcks: true, cumulativeAckDelayMs: 2 });
    rig.channel.receive(peerData('client', 0));
    rig.channel.receive(peerData('client', 2));
    expect(rig.ackedSequences()).toEqual([2]);
    rig.clock.advance(2);
    expect(rig.ackedSequences()).toEqual([2, 0]);
    rig.channel.receive(peerData('client', 1));
    rig.clock.advance(2);
    expect(rig.ackedSequences()).toEqual([2, 0, 2]);
    expect(rig.delivered.map(text)).toEqual(['m0', 'm1', 'm2']);
  });

  it('clears everything up to a cumulative ack from the sender’s window', async () => {
    const rig = createRig('agent');
    for (let i = 0; i < 5; i++) await rig.channel.send(PayloadType.Output, encodeUtf8(`${i}`));
    rig.channel.receive(ackOf(rig.sent[3]!, true));
    expect(rig.channel.inFlight).toBe(1);
  });

  it('reconfigure keeps what is in flight and applies the new limits to what follows', async () => {
    const rig = createRig('agent', { windowSize: 2 });
    await rig.channel.send(PayloadType.Output, encodeUtf8('0'));
    await rig.channel.send(PayloadType.Output, encodeUtf8('1'));
    const waiting = rig.channel.send(PayloadType.Output, new Uint8Array(5000));
    rig.channel.reconfigure({ windowSize: 10, maxPayloadLength: 8192 });
    await waiting;
    expect(rig.channel.inFlight).toBe(7);
    expect(rig.channel.currentConfig.maxPayloadLength).toBe(8192);
    const after = rig.channel.send(PayloadType.Output, new Uint8Array(5000));
    await after;
    expect(rig.sent.at(-1)!.payload.length).toBe(5000);
  });
});

describe('closing', () => {
  it('rejects queued and later sends, ignores input and stops its timers', async () => {
    const rig = createRig('client', { windowSize: 1 });
    await rig.channel.send(PayloadType.Output, encodeUtf8('0'));
    const queued = rig.channel.send(PayloadType.Output, encodeUtf8('1'));
    rig.channel.close();
    rig.channel.close();
    await expect(queued).rejects.toMatchObject({ code: 'ChannelClosed' });
    await expect(rig.channel.send(PayloadType.Output, encodeUtf8('2'))).rejects.toMatchObject({
      code: 'ChannelClosed',
    });
    rig.channel.receive(peerData('client', 0));
    expect(rig.delivered).toHaveLength(0);
    expect(rig.clock.pendingTimers).toBe(0);
    rig.channel.attach(transportInto(rig.sent));
    expect(rig.sent).toHaveLength(1);
  });
});

describe('configuration and RTT', () => {
  it('rejects non-positive settings and a window smaller than one message', () => {
    expect(() => resolveChannelConfig({ windowSize: 0 })).toThrow(RangeError);
    expect(() => resolveChannelConfig({ resendTickMs: -1 })).toThrow(RangeError);
    expect(() => resolveChannelConfig({ maxPayloadLength: 4096, windowBytes: 1024 })).toThrow(
      RangeError,
    );
    expect(() => resolveChannelConfig({ minRtoMs: 2000, maxRtoMs: 1000 })).toThrow(RangeError);
    expect(resolveChannelConfig({ initialRttVarMs: 0 }).initialRttVarMs).toBe(0);
    expect(resolveChannelConfig({ minRtoMs: 0 }).minRtoMs).toBe(0);
    expect(Object.isFrozen(resolveChannelConfig())).toBe(true);
  });

  it('follows AWS’s estimator: RTO = RTT + max(10 ms, 4 RTTVAR), capped at 1 s', () => {
    const estimator = new RttEstimator(resolveChannelConfig());
    expect(estimator.retransmissionTimeoutMs).toBe(200);
    estimator.addSample(20);
    // RTTVAR = 0.25 * |100 - 20| = 20; RTT = 0.875 * 100 + 0.125 * 20 = 90; RTO = 90 + 80.
    expect(estimator.smoothedRttMs).toBe(90);
    expect(estimator.retransmissionTimeoutMs).toBe(170);
    for (let i = 0; i < 200; i++) estimator.addSample(20);
    expect(estimator.retransmissionTimeoutMs).toBeCloseTo(30, 0);
    estimator.addSample(100_000);
    expect(estimator.retransmissionTimeoutMs).toBe(1000);
  });
});
