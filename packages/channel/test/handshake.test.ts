// The session handshake of ssm-wire §4.8 for both roles over the real engine and a simulated link:
// the order of frames on the wire, what reaches the session, OpenSSM's transport negotiation
// (docs/decisions/0001) against our own client and against AWS's plugin's answer, and every way
// the handshake fails.

import {
  AgentHandshake,
  ClientHandshake,
  HANDSHAKE_TIMEOUT_MS,
  type AgentHandshakeOptions,
  type ClientHandshakeOptions,
  type StreamMessage,
} from '@openssm/channel';
import {
  CodedError,
  MessageFlags,
  MessageType,
  PayloadType,
  SessionType,
  decodeAgentMessage,
  encodeHandshakeRequest,
  encodeHandshakeResponse,
  parseAcknowledgeContent,
  parseHandshakeComplete,
  parseHandshakeRequest,
  parseHandshakeResponse,
  type AcknowledgeContent,
  type HandshakeResponse,
  type JsonValue,
  type OpenSSMTransportParameters,
} from '@openssm/protocol';
import { createRandom, type LinkFaults, type Random } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import { createPair, flushMicrotasks, runUntil, type Endpoint, type Pair } from './harness.js';

const AGENT_VERSION = '3.3.987.0';
const CLIENT_VERSION = '1.2.0.0';
const OFFER: OpenSSMTransportParameters = {
  maxPayloadLength: 65536,
  windowSize: 256,
  cumulativeAcks: true,
};
const LIMITS: OpenSSMTransportParameters = {
  maxPayloadLength: 32768,
  windowSize: 128,
  cumulativeAcks: true,
};
const LOSSY: LinkFaults = {
  dropRate: 0.1,
  duplicateRate: 0.1,
  reorderRate: 0.1,
  latencyMs: 2,
  reorderDelayMs: 20,
};
const PORT_PROPERTIES: JsonValue = {
  portNumber: '80',
  type: 'LocalPortForwarding',
  localPortNumber: '18777',
};
/** What AWS's Go plugin answers to a request with SessionType and (to it unknown) OpenSSMTransport. */
const AWS_PLUGIN_RESPONSE =
  '{"ClientVersion":"1.2.0.0","ProcessedClientActions":[' +
  '{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""},' +
  '{"ActionType":"OpenSSMTransport","ActionStatus":0,"ActionResult":3,"Error":"Unsupported action OpenSSMTransport"}],' +
  '"Errors":["Unsupported action OpenSSMTransport"]}';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value);

// ---- wiring ----------------------------------------------------------------------------------

type AgentSettings = Omit<AgentHandshakeOptions, 'channel' | 'clock'>;
type ClientSettings = Omit<ClientHandshakeOptions, 'channel'>;

const STANDARD_AGENT: AgentSettings = {
  agentVersion: AGENT_VERSION,
  sessionType: SessionType.StandardStream,
  properties: null,
};

/** Puts an AgentHandshake in front of the agent's session, as the agent's session runner does. */
function withAgentHandshake(pair: Pair, settings: Partial<AgentSettings> = {}): AgentHandshake {
  const handshake = new AgentHandshake({
    channel: pair.agent.channel,
    clock: pair.clock,
    ...STANDARD_AGENT,
    ...settings,
  });
  pair.agent.route = (message) => handshake.handle(message);
  return handshake;
}

function withClientHandshake(pair: Pair, settings: Partial<ClientSettings> = {}): ClientHandshake {
  const handshake = new ClientHandshake({
    channel: pair.client.channel,
    clientVersion: CLIENT_VERSION,
    ...settings,
  });
  pair.client.route = (message) => handshake.handle(message);
  return handshake;
}

interface Watched<T> {
  settled: boolean;
  value: T | undefined;
  error: unknown;
}

/** Observes a promise without awaiting it, so the fake clock can run until it settles. */
function watch<T>(promise: Promise<T>): Watched<T> {
  const watched: Watched<T> = { settled: false, value: undefined, error: undefined };
  promise.then(
    (value) => Object.assign(watched, { settled: true, value }),
    (error: unknown) => Object.assign(watched, { settled: true, error }),
  );
  return watched;
}

async function settle(pair: Pair, ...watched: Watched<unknown>[]): Promise<void> {
  await runUntil(pair.clock, () => watched.every((w) => w.settled));
}

/** Runs until both channels have nothing unacknowledged (and `also` holds). */
async function quiesce(pair: Pair, also: () => boolean = () => true): Promise<void> {
  await runUntil(
    pair.clock,
    () => also() && pair.agent.channel.inFlight === 0 && pair.client.channel.inFlight === 0,
  );
}

interface WireFrame {
  readonly from: 'agent' | 'client';
  readonly messageType: string;
  readonly sequenceNumber: number;
  readonly flags: number;
  readonly payloadType: number;
  readonly payload: Uint8Array;
}

/** Records every frame either engine hands to the link, in the order they were sent. */
function tapWire(pair: Pair): WireFrame[] {
  const frames: WireFrame[] = [];
  const tap = (from: WireFrame['from'], transport: { send(bytes: Uint8Array): void }) => {
    const send = transport.send.bind(transport);
    transport.send = (bytes) => {
      const message = decodeAgentMessage(bytes);
      frames.push({
        from,
        messageType: message.messageType,
        sequenceNumber: message.sequenceNumber,
        flags: message.flags,
        payloadType: message.payloadType,
        payload: Uint8Array.from(message.payload),
      });
      send(bytes);
    };
  };
  tap('client', pair.link.a.transport);
  tap('agent', pair.link.b.transport);
  return frames;
}

function ackOf(frame: WireFrame): AcknowledgeContent {
  return parseAcknowledgeContent(frame.payload);
}

function received(endpoint: Endpoint): { payloadType: number; text: string }[] {
  return endpoint.received.map((m) => ({ payloadType: m.payloadType, text: text(m.payload) }));
}

function concat(messages: readonly StreamMessage[]): Uint8Array {
  return Buffer.concat(messages.map((m) => m.payload));
}

function patterned(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/** Agent (our AgentHandshake) and a raw client whose session sees everything, request delivered. */
async function agentWithRawClient(settings: Partial<AgentSettings> = {}, seed = 5) {
  const pair = createPair(seed);
  const agent = withAgentHandshake(pair, settings);
  const done = watch(agent.done);
  const startedAt = pair.clock.now();
  await agent.start();
  await runUntil(pair.clock, () => pair.client.received.length === 1);
  const request = parseHandshakeRequest(pair.client.received[0]!.payload);
  return { pair, agent, done, request, startedAt };
}

function responseBytes(response: Partial<HandshakeResponse> = {}): Uint8Array {
  return encodeHandshakeResponse({
    clientVersion: CLIENT_VERSION,
    processedClientActions: [
      { actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' },
    ],
    errors: null,
    ...response,
  });
}

function expectCoded(error: unknown, code: string, message?: RegExp): CodedError {
  expect(error).toBeInstanceOf(CodedError);
  const coded = error as CodedError;
  expect(coded.code).toBe(code);
  if (message !== undefined) expect(coded.message).toMatch(message);
  return coded;
}

// ---- success paths ---------------------------------------------------------------------------

describe('handshake between our agent and our client', () => {
  it('runs request, ack, response, complete in AWS order and hides them from the session', async () => {
    const pair = createPair(1);
    const wire = tapWire(pair);
    const agent = withAgentHandshake(pair, { customerMessage: 'Welcome to the box.' });
    const client = withClientHandshake(pair);
    const agentDone = watch(agent.done);
    const clientDone = watch(client.done);
    await agent.start();
    await settle(pair, agentDone, clientDone);
    await quiesce(pair);

    expect(clientDone.value).toEqual({
      handshake: true,
      sessionType: 'Standard_Stream',
      properties: null,
      agentVersion: AGENT_VERSION,
      customerMessage: 'Welcome to the box.',
    });
    expect(agentDone.value).toEqual({ clientVersion: CLIENT_VERSION });

    const summary = wire.map((f) => [
      f.from,
      f.messageType,
      f.sequenceNumber,
      f.flags,
      f.payloadType,
    ]);
    expect(summary).toEqual([
      ['agent', MessageType.OutputStreamData, 0, MessageFlags.Syn, PayloadType.HandshakeRequest],
      ['client', MessageType.Acknowledge, 0, MessageFlags.SynFin, PayloadType.None],
      ['client', MessageType.InputStreamData, 0, MessageFlags.None, PayloadType.HandshakeResponse],
      ['agent', MessageType.Acknowledge, 0, MessageFlags.SynFin, PayloadType.None],
      ['agent', MessageType.OutputStreamData, 1, MessageFlags.None, PayloadType.HandshakeComplete],
      ['client', MessageType.Acknowledge, 0, MessageFlags.SynFin, PayloadType.None],
    ]);
    // The client acks the request before answering it, and each ack names what it answers.
    expect(ackOf(wire[1]!)).toMatchObject({
      acknowledgedMessageType: 'output_stream_data',
      acknowledgedSequenceNumber: 0,
    });
    expect(ackOf(wire[3]!)).toMatchObject({
      acknowledgedMessageType: 'input_stream_data',
      acknowledgedSequenceNumber: 0,
    });
    expect(ackOf(wire[5]!)).toMatchObject({ acknowledgedSequenceNumber: 1 });
    expect(wire.filter((f) => f.messageType === 'acknowledge').map(ackOf)).not.toContainEqual(
      expect.objectContaining({ openSsmCumulative: true }),
    );

    // Payloads as AWS's programs write them.
    expect(JSON.parse(text(wire[0]!.payload))).toEqual({
      AgentVersion: AGENT_VERSION,
      RequestedClientActions: [
        {
          ActionType: 'SessionType',
          ActionParameters: { SessionType: 'Standard_Stream', Properties: null },
        },
      ],
    });
    expect(text(wire[2]!.payload)).toBe(
      '{"ClientVersion":"1.2.0.0","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""}],"Errors":null}',
    );
    // Response read 2 ms (two link hops) after the request was sent; Go's Duration is nanoseconds.
    expect(parseHandshakeComplete(wire[4]!.payload)).toEqual({
      handshakeTimeToComplete: 2_000_000,
      customerMessage: 'Welcome to the box.',
    });

    // No handshake payload reached either session; data afterwards does, both ways.
    expect(pair.agent.received).toEqual([]);
    expect(pair.client.received).toEqual([]);
    await pair.agent.channel.send(PayloadType.Output, utf8('$ '));
    await pair.client.channel.send(PayloadType.Size, utf8('{"cols":80,"rows":24}'));
    await pair.client.channel.send(PayloadType.Output, utf8('ls\r'));
    await quiesce(
      pair,
      () => pair.agent.received.length === 2 && pair.client.received.length === 1,
    );
    expect(received(pair.client)).toEqual([{ payloadType: PayloadType.Output, text: '$ ' }]);
    expect(received(pair.agent)).toEqual([
      { payloadType: PayloadType.Size, text: '{"cols":80,"rows":24}' },
      { payloadType: PayloadType.Output, text: 'ls\r' },
    ]);
    // Still AWS's transport: nothing was offered.
    expect(pair.agent.channel.currentConfig.maxPayloadLength).toBe(1024);
    expect(pair.client.channel.currentConfig.cumulativeAcks).toBe(false);
  });

  it('passes a Port session with its properties through to the client', async () => {
    const pair = createPair(2);
    const agent = withAgentHandshake(pair, {
      sessionType: SessionType.Port,
      properties: PORT_PROPERTIES,
    });
    const client = withClientHandshake(pair);
    const agentDone = watch(agent.done);
    const clientDone = watch(client.done);
    await agent.start();
    await settle(pair, agentDone, clientDone);
    expect(clientDone.value).toEqual({
      handshake: true,
      sessionType: 'Port',
      properties: PORT_PROPERTIES,
      agentVersion: AGENT_VERSION,
      customerMessage: '',
    });
    expect(agentDone.value).toEqual({ clientVersion: CLIENT_VERSION });
  });

  it('negotiates the OpenSSM transport down to the smaller of offer and limits on both ends', async () => {
    const pair = createPair(3);
    const wire = tapWire(pair);
    const agent = withAgentHandshake(pair, { transportOffer: OFFER });
    const client = withClientHandshake(pair, { transportLimits: LIMITS });
    const agentDone = watch(agent.done);
    const clientDone = watch(client.done);
    await agent.start();
    await settle(pair, agentDone, clientDone);

    expect(agentDone.value).toEqual({ clientVersion: CLIENT_VERSION, transport: LIMITS });
    expect(clientDone.value?.transport).toEqual(LIMITS);
    for (const endpoint of [pair.agent, pair.client]) {
      expect(endpoint.channel.currentConfig).toMatchObject({
        maxPayloadLength: 32768,
        windowSize: 128,
        cumulativeAcks: true,
        // Local sending choices of the OpenSSM transport (not negotiated).
        windowBytes: 4 * 1024 * 1024,
        minRtoMs: 1000,
      });
      expect(endpoint.channel.retransmissionTimeoutMs).toBeGreaterThanOrEqual(1000);
    }
    expect(JSON.parse(text(wire[0]!.payload))).toMatchObject({
      RequestedClientActions: [
        { ActionType: 'SessionType' },
        {
          ActionType: 'OpenSSMTransport',
          ActionParameters: { MaxPayloadLength: 65536, WindowSize: 256, CumulativeAcks: true },
        },
      ],
    });
    const response = wire.find((f) => f.payloadType === PayloadType.HandshakeResponse)!;
    expect(parseHandshakeResponse(response.payload).processedClientActions[1]).toEqual({
      actionType: 'OpenSSMTransport',
      actionStatus: 1,
      actionResult: { MaxPayloadLength: 32768, WindowSize: 128, CumulativeAcks: true },
      error: '',
    });
  });

  it('moves 200 KiB each way in 32 KiB pieces with cumulative acks once negotiated', async () => {
    const pair = createPair(4);
    const agent = withAgentHandshake(pair, { transportOffer: OFFER });
    const client = withClientHandshake(pair, { transportLimits: LIMITS });
    const done = [watch(agent.done), watch(client.done)];
    await agent.start();
    await settle(pair, ...done);
    await quiesce(pair);
    const wire = tapWire(pair);
    const before = {
      agent: { ...pair.agent.channel.stats },
      client: { ...pair.client.channel.stats },
    };

    const down = patterned(200 * 1024, 1);
    const up = patterned(200 * 1024, 2);
    await pair.agent.channel.send(PayloadType.Output, down);
    await pair.client.channel.send(PayloadType.Output, up);
    await quiesce(
      pair,
      () =>
        concat(pair.client.received).length === down.length &&
        concat(pair.agent.received).length === up.length,
    );

    for (const [endpoint, sent] of [
      [pair.client, down],
      [pair.agent, up],
    ] as const) {
      expect(Buffer.from(concat(endpoint.received)).equals(sent)).toBe(true);
      expect(endpoint.received).toHaveLength(Math.ceil(sent.length / 32768));
      for (const message of endpoint.received) {
        expect(message.payloadType).toBe(PayloadType.Output);
        expect(message.payload.length).toBeLessThanOrEqual(32768);
      }
    }
    const streamFrames = wire.filter((f) => f.messageType !== 'acknowledge');
    expect(Math.max(...streamFrames.map((f) => f.payload.length))).toBe(32768);
    const acks = wire.filter((f) => f.messageType === 'acknowledge').map(ackOf);
    expect(acks.every((ack) => ack.openSsmCumulative === true)).toBe(true);
    for (const side of ['agent', 'client'] as const) {
      const stats = pair[side].channel.stats;
      const delivered = stats.messagesDelivered - before[side].messagesDelivered;
      const acked = stats.acknowledgementsSent - before[side].acknowledgementsSent;
      expect(delivered).toBe(7);
      expect(acked).toBeGreaterThan(0);
      expect(acked * 4).toBeLessThanOrEqual(delivered);
    }
  });

  it('skips payload digests both ways when the agent offers it and the client accepts', async () => {
    const pair = createPair(41);
    const digests: { from: string; payloadType: number; zero: boolean }[] = [];
    for (const [side, end] of [
      ['client', pair.link.a],
      ['agent', pair.link.b],
    ] as const) {
      const transport = end.transport;
      const send = transport.send.bind(transport);
      transport.send = (bytes) => {
        const message = decodeAgentMessage(bytes);
        digests.push({
          from: side,
          payloadType: message.payloadType,
          zero: message.payloadDigest.every((byte) => byte === 0),
        });
        send(bytes);
      };
    }
    const skipping = { ...OFFER, skipPayloadDigest: true };
    const agent = withAgentHandshake(pair, { transportOffer: skipping });
    const client = withClientHandshake(pair, {
      transportLimits: { ...LIMITS, skipPayloadDigest: true },
    });
    const done = [watch(agent.done), watch(client.done)];
    await agent.start();
    await settle(pair, ...done);
    expect(done.map((d) => (d.value as { transport?: unknown }).transport)).toEqual([
      { ...LIMITS, skipPayloadDigest: true },
      { ...LIMITS, skipPayloadDigest: true },
    ]);
    const down = patterned(70 * 1024, 3);
    const up = patterned(70 * 1024, 4);
    await pair.agent.channel.send(PayloadType.Output, down);
    await pair.client.channel.send(PayloadType.Output, up);
    await quiesce(
      pair,
      () =>
        concat(pair.client.received).length === down.length &&
        concat(pair.agent.received).length === up.length,
    );
    expect(Buffer.from(concat(pair.client.received)).equals(down)).toBe(true);
    expect(Buffer.from(concat(pair.agent.received)).equals(up)).toBe(true);
    // The request and the response still carry digests; Output (and acks after the switch) not.
    const request = digests.find((d) => d.payloadType === PayloadType.HandshakeRequest)!;
    const response = digests.find((d) => d.payloadType === PayloadType.HandshakeResponse)!;
    expect([request.zero, response.zero]).toEqual([false, false]);
    const output = digests.filter((d) => d.payloadType === PayloadType.Output);
    expect(output.length).toBeGreaterThanOrEqual(6);
    expect(output.every((d) => d.zero)).toBe(true);
    for (const endpoint of [pair.agent, pair.client]) {
      expect(endpoint.channel.currentConfig).toMatchObject({
        writePayloadDigests: false,
        verifyPayloadDigests: false,
      });
    }
  });

  it('keeps payload digests when the client’s leg is not TLS, and the agent checks them again', async () => {
    const pair = createPair(42);
    const agent = withAgentHandshake(pair, {
      transportOffer: { ...OFFER, skipPayloadDigest: true },
    });
    const client = withClientHandshake(pair, { transportLimits: LIMITS });
    const done = [watch(agent.done), watch(client.done)];
    await agent.start();
    expect(pair.agent.channel.currentConfig.verifyPayloadDigests).toBe(false);
    await settle(pair, ...done);
    expect(done.map((d) => (d.value as { transport?: unknown }).transport)).toEqual([
      LIMITS,
      LIMITS,
    ]);
    for (const endpoint of [pair.agent, pair.client]) {
      expect(endpoint.channel.currentConfig).toMatchObject({
        writePayloadDigests: true,
        verifyPayloadDigests: true,
      });
    }
  });

  it('keeps AWS mode when our client has no transport limits and answers Unsupported', async () => {
    const pair = createPair(5);
    const wire = tapWire(pair);
    const agent = withAgentHandshake(pair, { transportOffer: OFFER });
    const client = withClientHandshake(pair);
    const agentDone = watch(agent.done);
    const clientDone = watch(client.done);
    await agent.start();
    await settle(pair, agentDone, clientDone);
    await quiesce(pair);

    expect(agentDone.value).toEqual({ clientVersion: CLIENT_VERSION });
    expect(clientDone.value).not.toHaveProperty('transport');
    const response = wire.find((f) => f.payloadType === PayloadType.HandshakeResponse)!;
    expect(parseHandshakeResponse(response.payload)).toEqual({
      clientVersion: CLIENT_VERSION,
      processedClientActions: [
        { actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' },
        {
          actionType: 'OpenSSMTransport',
          actionStatus: 3,
          actionResult: null,
          error: 'Unsupported action OpenSSMTransport',
        },
      ],
      errors: ['Unsupported action OpenSSMTransport'],
    });
    for (const endpoint of [pair.agent, pair.client]) {
      expect(endpoint.channel.currentConfig).toMatchObject({
        maxPayloadLength: 1024,
        cumulativeAcks: false,
      });
    }

    // The session works, in 1 KiB pieces with one plain ack per message.
    const acksBefore = pair.client.channel.stats.acknowledgementsSent;
    const output = patterned(5000, 3);
    await pair.agent.channel.send(PayloadType.Output, output);
    await quiesce(pair, () => concat(pair.client.received).length === output.length);
    expect(Buffer.from(concat(pair.client.received)).equals(output)).toBe(true);
    expect(pair.client.received.map((m) => m.payload.length)).toEqual([
      1024, 1024, 1024, 1024, 904,
    ]);
    expect(pair.client.channel.stats.acknowledgementsSent - acksBefore).toBe(5);
  });

  it("accepts AWS's plugin answer (unknown action: status 0, result 3) and stays in AWS mode", async () => {
    const { pair, done, request } = await agentWithRawClient({ transportOffer: OFFER });
    expect(request.requestedClientActions.map((a) => a.actionType)).toEqual([
      'SessionType',
      'OpenSSMTransport',
    ]);
    await pair.client.channel.send(PayloadType.HandshakeResponse, utf8(AWS_PLUGIN_RESPONSE));
    await settle(pair, done);
    expect(done.error).toBeUndefined();
    expect(done.value).toEqual({ clientVersion: '1.2.0.0' });
    expect(pair.agent.channel.currentConfig).toMatchObject({
      maxPayloadLength: 1024,
      windowSize: 1000,
      cumulativeAcks: false,
    });
    // HandshakeComplete follows, and the response never reached the agent's session.
    await quiesce(pair, () => pair.client.received.length === 2);
    expect(pair.client.received[1]!.payloadType).toBe(PayloadType.HandshakeComplete);
    expect(pair.agent.received).toEqual([]);
  });

  it('ignores a transport answer the agent never offered', async () => {
    const { pair, done } = await agentWithRawClient();
    const bytes = responseBytes({
      processedClientActions: [
        { actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' },
        {
          actionType: 'OpenSSMTransport',
          actionStatus: 1,
          actionResult: { MaxPayloadLength: 65536, WindowSize: 256, CumulativeAcks: true },
          error: '',
        },
      ],
    });
    await pair.client.channel.send(PayloadType.HandshakeResponse, bytes);
    await settle(pair, done);
    expect(done.value).toEqual({ clientVersion: CLIENT_VERSION });
    expect(pair.agent.channel.currentConfig.cumulativeAcks).toBe(false);
  });

  it('infers Standard_Stream and delivers the output when the agent skips the handshake', async () => {
    const pair = createPair(6);
    const client = withClientHandshake(pair, { transportLimits: LIMITS });
    const clientDone = watch(client.done);
    await pair.agent.channel.send(PayloadType.Output, utf8('Last login: today\r\n'));
    await pair.agent.channel.send(PayloadType.Output, utf8('$ '));
    await settle(pair, clientDone);
    await quiesce(pair, () => pair.client.received.length === 2);
    expect(clientDone.value).toEqual({
      handshake: false,
      sessionType: 'Standard_Stream',
      properties: null,
      agentVersion: '',
      customerMessage: '',
    });
    expect(received(pair.client)).toEqual([
      { payloadType: PayloadType.Output, text: 'Last login: today\r\n' },
      { payloadType: PayloadType.Output, text: '$ ' },
    ]);
    expect(pair.client.channel.currentConfig.maxPayloadLength).toBe(1024);
  });

  it('passes a refused first output through again when the session becomes ready', async () => {
    const pair = createPair(7);
    const client = withClientHandshake(pair);
    const clientDone = watch(client.done);
    pair.client.refuse = true;
    await pair.agent.channel.send(PayloadType.Output, utf8('hello'));
    await settle(pair, clientDone);
    expect(clientDone.value?.handshake).toBe(false);
    expect(pair.client.received).toEqual([]);
    pair.client.refuse = false;
    await quiesce(pair, () => pair.client.received.length === 1);
    expect(received(pair.client)).toEqual([{ payloadType: PayloadType.Output, text: 'hello' }]);
  });
});

// ---- a lossy link ----------------------------------------------------------------------------

describe('handshake and negotiated transport over a lossy link', () => {
  const MESSAGES_EACH_WAY = 2000;
  const MAX_SEND = 40 * 1024;

  /** Sizes of the sends, seeded: from 1 byte to more than one negotiated payload. */
  function plannedSends(random: Random): number[] {
    return Array.from({ length: MESSAGES_EACH_WAY }, () => 1 + random.int(MAX_SEND));
  }

  /** The bytes of send `index`, tagged with direction and index so a misplaced piece shows. */
  function sendBytes(size: number, tag: number, index: number): Uint8Array {
    const bytes = new Uint8Array(size);
    bytes.fill((index * 7 + tag) & 0xff);
    const header = new DataView(bytes.buffer);
    if (size >= 8) {
      header.setUint32(0, tag);
      header.setUint32(4, index);
    }
    return bytes;
  }

  /** The pieces the engine must deliver: each send cut at the negotiated payload length. */
  function* expectedPieces(sizes: readonly number[], tag: number, limit: number) {
    for (const [index, size] of sizes.entries()) {
      const bytes = sendBytes(size, tag, index);
      for (let offset = 0; offset < size; offset += limit) {
        yield bytes.subarray(offset, Math.min(size, offset + limit));
      }
    }
  }

  /** Counts the acknowledgements each side sends from now on, cumulative or one per message. */
  function countAcks(pair: Pair) {
    const counts = {
      agent: { cumulative: 0, single: 0, before: pair.agent.channel.stats.acknowledgementsSent },
      client: { cumulative: 0, single: 0, before: pair.client.channel.stats.acknowledgementsSent },
    };
    for (const [side, end] of [
      ['client', pair.link.a],
      ['agent', pair.link.b],
    ] as const) {
      const send = end.transport.send.bind(end.transport);
      end.transport.send = (bytes) => {
        const message = decodeAgentMessage(bytes);
        if (message.messageType === MessageType.Acknowledge) {
          if (parseAcknowledgeContent(message.payload).openSsmCumulative === true) {
            counts[side].cumulative++;
          } else counts[side].single++;
        }
        send(bytes);
      };
    }
    return counts;
  }

  function assertExactlyOnceInOrder(endpoint: Endpoint, sizes: readonly number[], tag: number) {
    const expected = [...expectedPieces(sizes, tag, LIMITS.maxPayloadLength)];
    expect(endpoint.received).toHaveLength(expected.length);
    const firstSequence = endpoint.received[0]!.sequenceNumber;
    endpoint.received.forEach((message, index) => {
      expect(message.sequenceNumber).toBe(firstSequence + index);
      if (!Buffer.from(message.payload).equals(expected[index]!)) {
        throw new Error(`piece ${index} (seq ${message.sequenceNumber}) differs`);
      }
    });
  }

  it('delivers 2,000 sends each way exactly once and in order in negotiated mode', async () => {
    const pair = createPair(20261127, LOSSY);
    const agent = withAgentHandshake(pair, { transportOffer: OFFER });
    const client = withClientHandshake(pair, { transportLimits: LIMITS });
    const agentDone = watch(agent.done);
    const clientDone = watch(client.done);
    await agent.start();
    await settle(pair, agentDone, clientDone);
    expect(agentDone.value?.transport).toEqual(LIMITS);
    expect(clientDone.value?.transport).toEqual(LIMITS);
    expect(pair.agent.received).toEqual([]);
    expect(pair.client.received).toEqual([]);
    const acks = countAcks(pair);

    const random = createRandom(42);
    const downSizes = plannedSends(random);
    const upSizes = plannedSends(random);
    expect(Math.max(...downSizes)).toBeGreaterThan(LIMITS.maxPayloadLength);
    const produce = async (endpoint: Endpoint, sizes: readonly number[], tag: number) => {
      for (const [index, size] of sizes.entries()) {
        await endpoint.channel.send(PayloadType.Output, sendBytes(size, tag, index));
      }
    };
    const expectedDown = [...expectedPieces(downSizes, 2, LIMITS.maxPayloadLength)].length;
    const expectedUp = [...expectedPieces(upSizes, 1, LIMITS.maxPayloadLength)].length;
    const producers = watch(
      Promise.all([produce(pair.agent, downSizes, 2), produce(pair.client, upSizes, 1)]),
    );
    await quiesce(
      pair,
      () =>
        producers.settled &&
        pair.client.received.length >= expectedDown &&
        pair.agent.received.length >= expectedUp,
    );
    expect(producers.error).toBeUndefined();

    assertExactlyOnceInOrder(pair.client, downSizes, 2);
    assertExactlyOnceInOrder(pair.agent, upSizes, 1);
    // The faults really happened.
    expect(pair.link.stats.dropped).toBeGreaterThan(100);
    expect(pair.link.stats.duplicated).toBeGreaterThan(100);
    expect(pair.link.stats.reordered).toBeGreaterThan(100);
    expect(pair.client.channel.stats.messagesResent).toBeGreaterThan(0);
    // Negotiated acks: in-order data is never acked one by one; only out-of-order arrivals and
    // duplicates are (the handshake's own acks went out before counting began).
    for (const side of ['agent', 'client'] as const) {
      const stats = pair[side].channel.stats;
      expect(acks[side].cumulative).toBeGreaterThan(0);
      expect(acks[side].cumulative + acks[side].single).toBe(
        stats.acknowledgementsSent - acks[side].before,
      );
      expect(acks[side].single).toBeLessThanOrEqual(
        stats.outOfOrderReceived + stats.duplicatesReceived,
      );
    }
  });
});

// ---- failures --------------------------------------------------------------------------------

describe('handshake failures', () => {
  it('fails the agent with the client’s error when the client refuses the session type', async () => {
    const pair = createPair(10);
    const agent = withAgentHandshake(pair, {
      sessionType: SessionType.Port,
      properties: PORT_PROPERTIES,
    });
    const client = withClientHandshake(pair, { supportedSessionTypes: ['Standard_Stream'] });
    const agentDone = watch(agent.done);
    const clientDone = watch(client.done);
    await agent.start();
    await settle(pair, agentDone);
    expectCoded(
      agentDone.error,
      'HandshakeFailed',
      /^the client refused the session: Failed to process action SessionType: unknown session type Port$/,
    );
    // No HandshakeComplete follows, so the client never starts a session.
    await quiesce(pair);
    expect(clientDone.settled).toBe(false);
  });

  it('fails the agent when the client answers without a SessionType action', async () => {
    const { pair, done } = await agentWithRawClient();
    await pair.client.channel.send(
      PayloadType.HandshakeResponse,
      responseBytes({ processedClientActions: [] }),
    );
    await settle(pair, done);
    expectCoded(done.error, 'HandshakeFailed', /no answer to the SessionType action/);
  });

  it('answers KMSEncryption Failed and unknown actions Unsupported, then fails on a challenge', async () => {
    const pair = createPair(11);
    const client = withClientHandshake(pair);
    const clientDone = watch(client.done);
    const request = encodeHandshakeRequest({
      agentVersion: AGENT_VERSION,
      requestedClientActions: [
        {
          known: true,
          actionType: 'SessionType',
          actionParameters: { sessionType: 'InteractiveCommands', properties: null },
        },
        {
          known: true,
          actionType: 'KMSEncryption',
          actionParameters: { kmsKeyId: 'alias/session', challenge: 'AAECAwQFBgcICQoLDA0ODw==' },
        },
        { known: false, actionType: 'FutureAction', actionParameters: { Anything: [1, 2] } },
      ],
    });
    await pair.agent.channel.send(PayloadType.HandshakeRequest, request);
    await quiesce(pair, () => pair.agent.received.length === 1);
    const response = parseHandshakeResponse(pair.agent.received[0]!.payload);
    const kmsError =
      'Failed to process action KMSEncryption: KMS encryption is not supported by this client';
    expect(response).toEqual({
      clientVersion: CLIENT_VERSION,
      processedClientActions: [
        { actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' },
        { actionType: 'KMSEncryption', actionStatus: 2, actionResult: null, error: kmsError },
        {
          actionType: 'FutureAction',
          actionStatus: 3,
          actionResult: null,
          error: 'Unsupported action FutureAction',
        },
      ],
      errors: [kmsError, 'Unsupported action FutureAction'],
    });
    expect(clientDone.settled).toBe(false);

    // An agent that carried on with encryption anyway: the client cannot answer the challenge.
    await pair.agent.channel.send(
      PayloadType.EncChallengeRequest,
      utf8('{"Challenge":"AAECAwQFBgcICQoLDA0ODw=="}'),
    );
    await settle(pair, clientDone);
    expectCoded(clientDone.error, 'HandshakeFailed', /KMS encryption is not supported/);
    expect(pair.client.received).toEqual([]);
  });

  it('times out after exactly 15 s without a response, and not before', async () => {
    const { pair, agent, done, startedAt } = await agentWithRawClient();
    expect(HANDSHAKE_TIMEOUT_MS).toBe(15_000);
    pair.clock.advance(startedAt + HANDSHAKE_TIMEOUT_MS - 1 - pair.clock.now());
    await flushMicrotasks();
    expect(done.settled).toBe(false);
    pair.clock.advance(1);
    await flushMicrotasks();
    expectCoded(
      done.error,
      'HandshakeTimedOut',
      /^Handshake timed out\. Please ensure that you have the latest version of the session manager plugin\.$/,
    );
    // A late answer is consumed and changes nothing.
    await pair.client.channel.send(PayloadType.HandshakeResponse, responseBytes());
    await quiesce(pair, () => pair.agent.channel.stats.messagesDelivered === 1);
    expect(pair.agent.received).toEqual([]);
    expect(pair.client.received).toHaveLength(1);
    await expect(agent.done).rejects.toBe(done.error);
  });

  it('honours a configured timeout', async () => {
    const { pair, done, startedAt } = await agentWithRawClient({ timeoutMs: 500 });
    await settle(pair, done);
    expectCoded(done.error, 'HandshakeTimedOut');
    expect(pair.clock.now() - startedAt).toBe(500);
  });

  it.each([
    ['not JSON', '<html>'],
    ['a JSON array', '[]'],
    ['missing ProcessedClientActions', '{"ClientVersion":"1.2.0.0","Errors":null}'],
    [
      'an out-of-range ActionStatus',
      '{"ClientVersion":"1","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":9,"ActionResult":null,"Error":""}],"Errors":null}',
    ],
  ])('fails the agent on a malformed HandshakeResponse (%s)', async (_name, payload) => {
    const { pair, done } = await agentWithRawClient();
    await pair.client.channel.send(PayloadType.HandshakeResponse, utf8(payload));
    await settle(pair, done);
    const error = expectCoded(done.error, 'HandshakeFailed', /the HandshakeResponse is not valid/);
    expectCoded(error.cause, 'PayloadInvalid');
    expect(pair.agent.received).toEqual([]);
  });

  it.each<[string, JsonValue]>([
    ['a larger payload', { MaxPayloadLength: 131072, WindowSize: 256, CumulativeAcks: true }],
    ['a larger window', { MaxPayloadLength: 65536, WindowSize: 257, CumulativeAcks: true }],
    [
      'cumulative acks that were not offered',
      { MaxPayloadLength: 1024, WindowSize: 1, CumulativeAcks: true },
    ],
    ['no result object', null],
    ['a payload below 1 KiB', { MaxPayloadLength: 512, WindowSize: 1, CumulativeAcks: false }],
  ])('fails the agent on a transport result with %s', async (name, actionResult) => {
    const offer = name.startsWith('cumulative') ? { ...OFFER, cumulativeAcks: false } : OFFER;
    const { pair, done } = await agentWithRawClient({ transportOffer: offer });
    const bytes = responseBytes({
      processedClientActions: [
        { actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' },
        { actionType: 'OpenSSMTransport', actionStatus: 1, actionResult, error: '' },
      ],
    });
    await pair.client.channel.send(PayloadType.HandshakeResponse, bytes);
    await settle(pair, done);
    const error = expectCoded(done.error, 'HandshakeFailed');
    expectCoded(error.cause, 'PayloadInvalid');
    expect(pair.agent.channel.currentConfig.maxPayloadLength).toBe(1024);
    // No HandshakeComplete: the client's session must never start.
    await quiesce(pair);
    expect(pair.client.received.map((m) => m.payloadType)).toEqual([PayloadType.HandshakeRequest]);
  });

  it('acks and discards data that reaches the agent before the response', async () => {
    const pair = createPair(12);
    const agent = withAgentHandshake(pair);
    const done = watch(agent.done);
    // Before start() too: the session only exists once the handshake is complete.
    await pair.client.channel.send(PayloadType.Output, utf8('too early'));
    await quiesce(pair, () => pair.agent.channel.stats.messagesDelivered === 1);
    await agent.start();
    await runUntil(pair.clock, () => pair.client.received.length === 1);
    await pair.client.channel.send(PayloadType.Size, utf8('{"cols":80,"rows":24}'));
    await pair.client.channel.send(PayloadType.HandshakeResponse, responseBytes());
    await pair.client.channel.send(PayloadType.Output, utf8('on time'));
    await settle(pair, done);
    await quiesce(pair, () => pair.agent.received.length === 1);
    expect(done.value).toEqual({ clientVersion: CLIENT_VERSION });
    expect(received(pair.agent)).toEqual([{ payloadType: PayloadType.Output, text: 'on time' }]);
    // Every client message was acknowledged (nothing in flight), including the discarded ones.
    expect(pair.client.channel.inFlight).toBe(0);
    expect(pair.agent.channel.stats.messagesDelivered).toBe(4);
  });

  it('fails the client on a malformed HandshakeRequest, then lets output through', async () => {
    const pair = createPair(13);
    const client = withClientHandshake(pair);
    const done = watch(client.done);
    await pair.agent.channel.send(
      PayloadType.HandshakeRequest,
      utf8('{"AgentVersion":"3.3.987.0"}'),
    );
    await settle(pair, done);
    const error = expectCoded(done.error, 'HandshakeFailed', /the agent sent an invalid handshake/);
    expectCoded(error.cause, 'PayloadInvalid');
    // Nothing was answered, and later handshake payloads are still kept from the session.
    await pair.agent.channel.send(PayloadType.HandshakeComplete, utf8('{}'));
    await pair.agent.channel.send(PayloadType.Output, utf8('text'));
    await quiesce(pair, () => pair.client.received.length === 1);
    expect(received(pair.client)).toEqual([{ payloadType: PayloadType.Output, text: 'text' }]);
    expect(pair.agent.received).toEqual([]);
  });

  it('fails the client on a malformed HandshakeComplete', async () => {
    const pair = createPair(14);
    const agent = withAgentHandshake(pair);
    const client = withClientHandshake(pair);
    const agentDone = watch(agent.done);
    const clientDone = watch(client.done);
    await agent.start();
    await settle(pair, agentDone);
    // The client now waits for HandshakeComplete; hand it a broken one directly.
    client.handle({
      sequenceNumber: 2,
      messageId: '00000000-0000-4000-8000-000000000000',
      payloadType: PayloadType.HandshakeComplete,
      payload: utf8('{"HandshakeTimeToComplete":-1,"CustomerMessage":""}'),
    });
    await flushMicrotasks();
    expectCoded(clientDone.error, 'HandshakeFailed', /invalid handshake/);
  });

  it('fails the client on HandshakeComplete before any request', async () => {
    const pair = createPair(15);
    const client = withClientHandshake(pair);
    const done = watch(client.done);
    await pair.agent.channel.send(
      PayloadType.HandshakeComplete,
      utf8('{"HandshakeTimeToComplete":1,"CustomerMessage":""}'),
    );
    await settle(pair, done);
    expectCoded(done.error, 'HandshakeFailed', /^HandshakeComplete arrived before a request$/);
    expect(pair.client.received).toEqual([]);
  });

  it('fails the client on EncChallengeRequest, which it cannot answer', async () => {
    const pair = createPair(16);
    const client = withClientHandshake(pair);
    const done = watch(client.done);
    await pair.agent.channel.send(PayloadType.EncChallengeRequest, utf8('{"Challenge":"AAAA"}'));
    await settle(pair, done);
    expectCoded(done.error, 'HandshakeFailed', /KMS encryption is not supported by this client/);
    expect(pair.client.received).toEqual([]);
  });

  it('refuses to start twice', async () => {
    const pair = createPair(17);
    const agent = withAgentHandshake(pair);
    await agent.start();
    await expect(agent.start()).rejects.toThrow('handshake already started');
    expect(pair.agent.channel.stats.messagesSent).toBe(1);
  });

  it('settles without unhandled rejections when its channel is already closed', async () => {
    const pair = createPair(18);
    const agent = withAgentHandshake(pair);
    const client = withClientHandshake(pair, { transportLimits: LIMITS });
    await agent.start();
    pair.agent.channel.close();
    pair.client.channel.close();
    const request = encodeHandshakeRequest({
      agentVersion: AGENT_VERSION,
      requestedClientActions: [
        {
          known: true,
          actionType: 'SessionType',
          actionParameters: { sessionType: 'Standard_Stream', properties: null },
        },
      ],
    });
    const message = (payloadType: number, payload: Uint8Array): StreamMessage => ({
      sequenceNumber: 0,
      messageId: '00000000-0000-4000-8000-000000000000',
      payloadType,
      payload,
    });
    // Neither the response nor the HandshakeComplete can go out; the outcome is still reported.
    expect(client.handle(message(PayloadType.HandshakeRequest, request))).toBe(true);
    expect(agent.handle(message(PayloadType.HandshakeResponse, responseBytes()))).toBe(true);
    await expect(agent.done).resolves.toEqual({ clientVersion: CLIENT_VERSION });
    expect(
      client.handle(
        message(
          PayloadType.HandshakeComplete,
          utf8('{"HandshakeTimeToComplete":0,"CustomerMessage":""}'),
        ),
      ),
    ).toBe(true);
    await expect(client.done).resolves.toMatchObject({ handshake: true });
    await flushMicrotasks();
  });
});

// ---- after completion ------------------------------------------------------------------------

describe('handshake payloads after completion', () => {
  it('are consumed at both ends, while output still reaches the sessions', async () => {
    const pair = createPair(20);
    const agent = withAgentHandshake(pair);
    const client = withClientHandshake(pair);
    const done = [watch(agent.done), watch(client.done)];
    await agent.start();
    await settle(pair, ...done);
    await quiesce(pair);
    const responsesBefore = pair.client.channel.stats.messagesSent;

    // A second request (new sequence number) is not answered again; late types are swallowed.
    const request = encodeHandshakeRequest({
      agentVersion: '9.9.9.9',
      requestedClientActions: [
        {
          known: true,
          actionType: 'SessionType',
          actionParameters: { sessionType: 'Port', properties: null },
        },
      ],
    });
    for (const [payloadType, payload] of [
      [PayloadType.HandshakeRequest, request],
      [PayloadType.HandshakeComplete, utf8('{"HandshakeTimeToComplete":1,"CustomerMessage":"x"}')],
      [PayloadType.EncChallengeRequest, utf8('{"Challenge":"AAAA"}')],
      [PayloadType.Output, utf8('agent data')],
    ] as const) {
      await pair.agent.channel.send(payloadType, payload);
    }
    for (const [payloadType, payload] of [
      [PayloadType.HandshakeResponse, responseBytes({ clientVersion: '0.0.0.1' })],
      [PayloadType.EncChallengeResponse, utf8('{"Challenge":"AAAA"}')],
      [PayloadType.Output, utf8('client data')],
    ] as const) {
      await pair.client.channel.send(payloadType, payload);
    }
    await quiesce(
      pair,
      () => pair.client.received.length === 1 && pair.agent.received.length === 1,
    );

    expect(received(pair.client)).toEqual([
      { payloadType: PayloadType.Output, text: 'agent data' },
    ]);
    expect(received(pair.agent)).toEqual([
      { payloadType: PayloadType.Output, text: 'client data' },
    ]);
    // Only the three messages above left the client: no second HandshakeResponse.
    expect(pair.client.channel.stats.messagesSent - responsesBefore).toBe(3);
    await expect(client.done).resolves.toMatchObject({
      agentVersion: AGENT_VERSION,
      sessionType: 'Standard_Stream',
    });
    await expect(agent.done).resolves.toEqual({ clientVersion: CLIENT_VERSION });
  });

  it('passes output sent between request and HandshakeComplete to the session, still waiting', async () => {
    const pair = createPair(22);
    const client = withClientHandshake(pair);
    const done = watch(client.done);
    const request = encodeHandshakeRequest({
      agentVersion: AGENT_VERSION,
      requestedClientActions: [
        {
          known: true,
          actionType: 'SessionType',
          actionParameters: { sessionType: 'Standard_Stream', properties: null },
        },
      ],
    });
    await pair.agent.channel.send(PayloadType.HandshakeRequest, request);
    await pair.agent.channel.send(PayloadType.Output, utf8('early'));
    await quiesce(pair, () => pair.client.received.length === 1);
    expect(received(pair.client)).toEqual([{ payloadType: PayloadType.Output, text: 'early' }]);
    expect(done.settled).toBe(false);
    await pair.agent.channel.send(
      PayloadType.HandshakeComplete,
      utf8('{"HandshakeTimeToComplete":5,"CustomerMessage":""}'),
    );
    await settle(pair, done);
    expect(done.value).toMatchObject({ handshake: true });
  });

  it('does not answer a repeated request while waiting for HandshakeComplete', async () => {
    const pair = createPair(21);
    const client = withClientHandshake(pair);
    const done = watch(client.done);
    const request = (agentVersion: string) =>
      encodeHandshakeRequest({
        agentVersion,
        requestedClientActions: [
          {
            known: true,
            actionType: 'SessionType',
            actionParameters: { sessionType: 'Standard_Stream', properties: null },
          },
        ],
      });
    await pair.agent.channel.send(PayloadType.HandshakeRequest, request('1.0.0.0'));
    await pair.agent.channel.send(PayloadType.HandshakeRequest, request('2.0.0.0'));
    await pair.agent.channel.send(
      PayloadType.HandshakeComplete,
      utf8('{"HandshakeTimeToComplete":5,"CustomerMessage":""}'),
    );
    await settle(pair, done);
    await quiesce(pair);
    expect(pair.agent.received).toHaveLength(1);
    expect(done.value).toMatchObject({ handshake: true, agentVersion: '1.0.0.0' });
    expect(pair.client.received).toEqual([]);
  });
});

describe('regressions', () => {
  it('a HandshakeRequest too large to send fails the handshake at once, not with a timeout 15 s later', async () => {
    const pair = createPair(34, undefined, { agent: { maxControlPayloadLength: 2048 } });
    const agent = withAgentHandshake(pair, {
      sessionType: 'Port',
      properties: { portNumber: '22', padding: 'p'.repeat(4096) },
    });
    const agentDone = watch(agent.done);
    await expect(agent.start()).rejects.toMatchObject({ code: 'PayloadTooLarge' });
    await flushMicrotasks();
    expect(agentDone.error).toMatchObject({ code: 'HandshakeFailed' });
    expect(pair.clock.now()).toBe(createPair(34).clock.now());
  });

  it('customer message too long for one message: start() throws instead of the client waiting forever', async () => {
    // The bound assumes the longest HandshakeTimeToComplete: 65 bytes of JSON around the text.
    for (const [length, maxControlPayloadLength] of [
      [960, 512],
      [70_000, 64 * 1024],
    ] as const) {
      const pair = createPair(30, undefined, { agent: { maxControlPayloadLength } });
      const agent = withAgentHandshake(pair, { customerMessage: 'x'.repeat(length) });
      const client = withClientHandshake(pair);
      const clientDone = watch(client.done);
      await expect(agent.start()).rejects.toThrow(RangeError);
      expect(pair.agent.channel.stats.messagesSent).toBe(0);
      expect(clientDone.settled).toBe(false);
    }
    // A message longer than one AWS-sized stream payload still goes whole, as AWS's agent sends it.
    const pair = createPair(31);
    const agent = withAgentHandshake(pair, { customerMessage: 'y'.repeat(5000) });
    const client = withClientHandshake(pair);
    const done = [watch(agent.done), watch(client.done)];
    await agent.start();
    await settle(pair, ...done);
    expect(done[1]!.value).toMatchObject({ customerMessage: 'y'.repeat(5000) });
  });

  it('client payload types sent by the agent before the request neither reach the session nor skip the handshake', async () => {
    const pair = createPair(32);
    const agent = withAgentHandshake(pair);
    const client = withClientHandshake(pair);
    const clientDone = watch(client.done);
    // A confused agent echoes client-side handshake types first; then the real handshake runs.
    await pair.agent.channel.send(PayloadType.HandshakeResponse, responseBytes());
    await pair.agent.channel.send(PayloadType.EncChallengeResponse, utf8('{"Challenge":"AAAA"}'));
    await quiesce(pair);
    expect(clientDone.settled).toBe(false);
    const agentDone = watch(agent.done);
    await agent.start();
    await settle(pair, agentDone, clientDone);
    expect(clientDone.value).toMatchObject({ handshake: true, agentVersion: AGENT_VERSION });
    expect(pair.client.received).toEqual([]);
  });

  it('offer larger than the channel can switch to: start() throws instead of the agent hanging', async () => {
    const pair = createPair(33, undefined, { agent: { windowBytes: 32768 } });
    const agent = withAgentHandshake(pair, { transportOffer: OFFER });
    withClientHandshake(pair, { transportLimits: OFFER });
    await expect(agent.start()).rejects.toThrow(/windowBytes must hold at least one full message/);
    expect(pair.agent.channel.stats.messagesSent).toBe(0);
    // An offer that fits the same channel negotiates and completes on both ends.
    const fits = createPair(34, undefined, { agent: { windowBytes: 32768 } });
    const fitting = withAgentHandshake(fits, {
      transportOffer: { ...OFFER, maxPayloadLength: 32768 },
    });
    const client = withClientHandshake(fits, { transportLimits: OFFER });
    const done = [watch(fitting.done), watch(client.done)];
    await fitting.start();
    await settle(fits, ...done);
    expect(done.map((d) => d.error)).toEqual([undefined, undefined]);
    expect(fits.agent.channel.currentConfig.maxPayloadLength).toBe(32768);
  });

  it('limits larger than the client channel can switch to: the constructor throws', () => {
    const pair = createPair(35, undefined, { client: { windowBytes: 16384 } });
    expect(() => withClientHandshake(pair, { transportLimits: LIMITS })).toThrow(RangeError);
  });
});
