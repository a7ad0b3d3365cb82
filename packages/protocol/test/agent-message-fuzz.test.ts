// Bad bytes are data, not crashes: 20,000 seeded inputs (random and mutated valid frames) must
// either decode within the limits, as views into the input, or fail with a Frame* CodedError.

import { CodedError, MessageType, decodeAgentMessage, type DecodeOptions } from '@openssm/protocol';
import {
  buildAgentMessageVector,
  createRandom,
  mutateBytes,
  nodeSha256,
  type Random,
} from '@openssm/testkit';
import { describe, expect, it } from 'vitest';

const INPUTS = 20_000;
const MAX_PAYLOAD_LENGTH = 256;
const SEED = 0x5eed_f00d;

function validFrames(random: Random): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 64; i++) {
    // Some payloads exceed the limit so mutations can land on either side of it.
    const payloadLength = random.pick([0, 1, 16, 255, 256, 257, random.int(320)]);
    frames.push(
      buildAgentMessageVector(
        {
          messageType: random.pick(Object.values(MessageType)),
          createdDate: 1 + random.int(2 ** 32),
          sequenceNumber: random.int(1000),
          flags: random.int(4),
          messageId: '11111111-2222-4333-8444-555555555555',
          payloadType: random.int(13),
          payload: random.bytes(payloadLength),
        },
        {
          messageTypePadding: random.chance(0.5) ? 'space' : 'nul',
          extraHeader: random.chance(0.2) ? random.bytes(random.int(8)) : undefined,
        },
      ),
    );
  }
  return frames;
}

describe('decodeAgentMessage fuzz', () => {
  it(`survives ${INPUTS} random and mutated inputs`, () => {
    const random = createRandom(SEED);
    const frames = validFrames(random);
    const optionSets: DecodeOptions[] = [
      { maxPayloadLength: MAX_PAYLOAD_LENGTH },
      { maxPayloadLength: MAX_PAYLOAD_LENGTH, verifyDigestWith: nodeSha256 },
    ];
    const codes = new Map<string, number>();
    const problems: string[] = [];
    let decoded = 0;

    for (let i = 0; i < INPUTS; i++) {
      const input =
        i % 2 === 0 ? random.bytes(random.int(401)) : mutateBytes(random.pick(frames), random);
      for (const options of optionSets) {
        try {
          const message = decodeAgentMessage(input, options);
          decoded++;
          if (message.payload.length > MAX_PAYLOAD_LENGTH) {
            problems.push(`#${i}: payload of ${message.payload.length} bytes`);
          }
          if (message.payload.buffer !== input.buffer) {
            problems.push(`#${i}: payload is a copy`);
          }
          if (message.payload.byteOffset !== message.headerLength + 4) {
            problems.push(`#${i}: payload at ${message.payload.byteOffset}`);
          }
        } catch (error) {
          if (error instanceof CodedError && error.code.startsWith('Frame')) {
            codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          } else {
            problems.push(`#${i}: ${String(error)} for ${Buffer.from(input).toString('hex')}`);
          }
        }
      }
      if (problems.length > 10) break;
    }

    expect(problems).toEqual([]);
    // The corpus must reach both outcomes and the main error paths, or it proves little.
    expect(decoded).toBeGreaterThan(1000);
    expect([...codes.keys()].sort()).toEqual(
      expect.arrayContaining([
        'FrameDigestMismatch',
        'FrameFieldOutOfRange',
        'FrameHeaderInvalid',
        'FrameMessageTypeInvalid',
        'FramePayloadLengthMismatch',
        'FramePayloadTooLarge',
        'FrameTruncated',
      ]),
    );
  });
});
