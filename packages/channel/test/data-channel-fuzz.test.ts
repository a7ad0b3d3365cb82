// 20,000 random and mutated frames into DataChannel.receive for each role: only coded protocol
// errors may escape, the out-of-order buffer stays within its bound, and the channel still
// carries valid traffic afterwards.

import { DataChannel, type ChannelRole } from '@openssm/channel';
import {
  CodedError,
  MessageFlags,
  MessageType,
  PayloadType,
  encodeAcknowledgeContent,
  encodeAgentMessage,
  encodeUtf8,
} from '@openssm/protocol';
import { FakeClock, createRandom, mutateBytes, nodeSha256, type Random } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import { seededUuid } from './harness.js';

const INPUTS = 20_000;
const INCOMING_BUFFER = 64;

function frame(random: Random, role: ChannelRole): Uint8Array {
  const peerType = role === 'client' ? MessageType.OutputStreamData : MessageType.InputStreamData;
  const uuid = seededUuid(random);
  const kind = random.int(4);
  const base = {
    schemaVersion: 1,
    createdDate: 1_795_719_693_230,
    messageId: uuid(),
  };
  if (kind === 0) {
    return encodeAgentMessage(
      {
        ...base,
        messageType: MessageType.Acknowledge,
        sequenceNumber: 0,
        flags: MessageFlags.SynFin,
        payloadType: PayloadType.None,
        payload: encodeAcknowledgeContent({
          acknowledgedMessageType: MessageType.InputStreamData,
          acknowledgedMessageId: uuid(),
          acknowledgedSequenceNumber: random.int(200),
          isSequentialMessage: true,
          ...(random.chance(0.5) ? { openSsmCumulative: true } : {}),
        }),
      },
      nodeSha256,
    );
  }
  if (kind === 1) {
    return encodeAgentMessage(
      {
        ...base,
        messageType: random.pick([
          MessageType.ChannelClosed,
          MessageType.PausePublication,
          MessageType.StartPublication,
          MessageType.AgentSessionState,
          'something_new',
        ]),
        sequenceNumber: 0,
        flags: MessageFlags.SynFin,
        payloadType: PayloadType.None,
        payload: encodeUtf8('{"SchemaVersion":1}'),
      },
      nodeSha256,
    );
  }
  return encodeAgentMessage(
    {
      ...base,
      messageType: peerType,
      sequenceNumber: random.int(INCOMING_BUFFER * 4),
      flags: 0,
      payloadType: random.pick([PayloadType.Output, PayloadType.Size, PayloadType.Flag]),
      payload: random.bytes(1 + random.int(64)),
    },
    nodeSha256,
  );
}

describe.each(['client', 'agent'] as const)('DataChannel.receive fuzz (%s)', (role) => {
  it(`rejects ${INPUTS} random and mutated frames with coded errors only and keeps working`, async () => {
    const random = createRandom(role === 'client' ? 0xc11e : 0xa9e7);
    const clock = new FakeClock();
    let delivered = 0;
    const channel = new DataChannel({
      role,
      environment: { clock, sha256: nodeSha256, randomUUID: seededUuid(random) },
      config: { incomingBufferSize: INCOMING_BUFFER, maxIncomingPayloadLength: 256 },
      handlers: { onStreamMessage: () => (delivered++, true) },
    });
    const sent: Uint8Array[] = [];
    channel.attach({ send: (bytes) => sent.push(bytes) });
    const unexpected: string[] = [];
    const codes = new Set<string>();
    for (let i = 0; i < INPUTS; i++) {
      const input =
        i % 2 === 0 ? random.bytes(random.int(400)) : mutateBytes(frame(random, role), random);
      try {
        channel.receive(input);
      } catch (error) {
        if (error instanceof CodedError && /^(Frame|Payload)/.test(error.code))
          codes.add(error.code);
        else unexpected.push(`input ${i}: ${String(error)}`);
      }
      // Pause messages in the corpus must not leave the channel mute for the final check.
      if (channel.isPaused) channel.receive(startPublication());
      clock.advance(random.int(50));
    }
    expect(unexpected.slice(0, 10)).toEqual([]);
    expect(codes.size).toBeGreaterThanOrEqual(5);
    expect(delivered).toBeGreaterThan(0);
    expect(channel.isClosed).toBe(false);
    // Still a working channel: a valid send goes out.
    const before = sent.length;
    await channel.send(PayloadType.Output, encodeUtf8('still alive'));
    expect(sent.length).toBe(before + 1);
  });
});

function startPublication(): Uint8Array {
  return encodeAgentMessage(
    {
      messageType: MessageType.StartPublication,
      schemaVersion: 1,
      createdDate: 1_795_719_693_230,
      sequenceNumber: 0,
      flags: MessageFlags.SynFin,
      messageId: '00000000-0000-4000-8000-000000000001',
      payloadType: PayloadType.None,
      payload: encodeUtf8('{"SchemaVersion":1}'),
    },
    nodeSha256,
  );
}
