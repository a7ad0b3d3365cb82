// AgentMessage codec against hand-built vectors (testkit), the real plugin acknowledge of
// ssm-wire §4.2, seeded round trips, the readers' tolerance and every validation rule.

import {
  AGENT_MESSAGE_LAYOUT,
  CodedError,
  DEFAULT_MAX_PAYLOAD_LENGTH,
  FIELD,
  HEADER_LENGTH,
  MessageType,
  PAYLOAD_OFFSET,
  decodeAgentMessage,
  encodeAgentMessage,
  isUuid,
  isValidMessageTypeText,
  readSwappedUuid,
  writeSwappedUuid,
  type AgentMessage,
  type DecodeOptions,
  type ErrorCode,
} from '@openssm/protocol';
import {
  buildAgentMessageVector,
  createRandom,
  fromHex,
  nodeSha256,
  toHex,
  uuidToWireHex,
  wireHexToUuid,
  type AgentMessageVectorFields,
  type Random,
} from '@openssm/testkit';
import { describe, expect, it } from 'vitest';

const MESSAGE_ID = 'e654b05e-e422-48d0-b967-0dfd5633a873';

/** A plain output_stream_data message; tests override what they exercise. */
const BASE: AgentMessageVectorFields = {
  messageType: 'output_stream_data',
  createdDate: 1795719693230,
  sequenceNumber: 7,
  flags: 0,
  messageId: MESSAGE_ID,
  payloadType: 1,
  payload: 'hello, world',
};

function vector(
  fields: Partial<AgentMessageVectorFields> = {},
  options: Parameters<typeof buildAgentMessageVector>[1] = {},
): Uint8Array {
  return buildAgentMessageVector({ ...BASE, ...fields }, options);
}

/** Decodes `bytes`, expecting a CodedError, and returns its code. */
function decodeErrorCode(bytes: Uint8Array, options?: DecodeOptions): ErrorCode {
  try {
    decodeAgentMessage(bytes, options);
  } catch (error) {
    if (error instanceof CodedError) return error.code;
    throw error;
  }
  throw new Error('decoded without an error');
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

describe('AGENT_MESSAGE_LAYOUT', () => {
  it('has every offset equal to the sum of the lengths before it', () => {
    let expected = 0;
    for (const row of AGENT_MESSAGE_LAYOUT) {
      expect(row.offset, row.field).toBe(expected);
      expected += row.length;
    }
    expect(expected).toBe(PAYLOAD_OFFSET);
  });

  it('puts HeaderLength at 116 and the payload at 120', () => {
    expect(HEADER_LENGTH).toBe(116);
    expect(PAYLOAD_OFFSET).toBe(120);
    expect(FIELD.payloadLength.offset).toBe(116);
    expect(FIELD.messageId.length).toBe(16);
  });

  it('names each field once', () => {
    const names = AGENT_MESSAGE_LAYOUT.map((row) => row.field);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(FIELD)).toEqual(names);
  });
});

describe('the acknowledge the plugin sent (ssm-wire §4.2 capture)', () => {
  const payload =
    '{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"bb252f5d-af83-4398-afd7-e7778696026c","AcknowledgedMessageSequenceNumber":0,"IsSequentialMessage":true}';
  const digestHex = toHex(nodeSha256(Buffer.from(payload, 'utf8')));
  // Row by row from the spec's annotated table.
  const captureHex = [
    '00000074',
    '61636b6e6f776c65646765' + '20'.repeat(21),
    '00000001',
    '000001a2193c03ae',
    '0000000000000000',
    '0000000000000003',
    'b9670dfd5633a873' + 'e654b05ee42248d0',
    digestHex,
    '00000000',
    '000000b0',
    Buffer.from(payload, 'utf8').toString('hex'),
  ].join('');
  const capture = fromHex(captureHex);

  it('has the digest the spec shows and the documented length', () => {
    expect(digestHex.startsWith('26cc13fc')).toBe(true);
    expect(digestHex.endsWith('c8b08a')).toBe(true);
    expect(payload.length).toBe(0xb0);
    expect(capture.length).toBe(120 + 176);
  });

  it('is what the testkit vector builder writes for the same fields', () => {
    const built = buildAgentMessageVector({
      messageType: 'acknowledge',
      createdDate: 1795719693230,
      sequenceNumber: 0,
      flags: 3,
      messageId: MESSAGE_ID,
      payloadType: 0,
      payload,
    });
    expect(toHex(built)).toBe(captureHex);
  });

  it('decodes to the documented fields, digest verified', () => {
    const message = decodeAgentMessage(capture, { verifyDigestWith: nodeSha256 });
    expect(message).toMatchObject({
      headerLength: 116,
      messageType: 'acknowledge',
      schemaVersion: 1,
      createdDate: 1795719693230,
      sequenceNumber: 0,
      flags: 3,
      messageId: 'e654b05e-e422-48d0-b967-0dfd5633a873',
      payloadType: 0,
    });
    expect(toHex(message.payloadDigest)).toBe(digestHex);
    expect(text(message.payload)).toBe(payload);
  });

  it('re-encodes from its decoded fields to the identical bytes', () => {
    const message = decodeAgentMessage(capture);
    expect(toHex(encodeAgentMessage(message, nodeSha256))).toBe(captureHex);
  });
});

function randomUuid(random: Random): string {
  const hex = toHex(random.bytes(16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Uniform-ish integer in [0, 2^53): two draws, since one draw carries only 32 bits. */
function randomSafeInteger(random: Random): number {
  return random.int(2 ** 21) * 2 ** 32 + random.int(2 ** 32);
}

function randomMessageType(random: Random): string {
  if (random.chance(0.5)) return random.pick(Object.values(MessageType));
  const length = random.chance(0.3) ? 32 : 1 + random.int(32);
  return String.fromCharCode(...Array.from({ length }, () => 0x21 + random.int(0x7f - 0x21)));
}

function randomMessage(random: Random): AgentMessage {
  const pickInteger = (): number =>
    random.pick([0, 1, Number.MAX_SAFE_INTEGER, 2 ** 32, randomSafeInteger(random)]);
  const payloadLength = random.pick([0, 2048, random.int(2049), random.int(64)]);
  return {
    messageType: randomMessageType(random),
    schemaVersion: random.pick([1, 0, 0xffff_ffff, random.int(2 ** 32)]),
    createdDate: Math.max(1, pickInteger()),
    sequenceNumber: pickInteger(),
    flags: pickInteger(),
    messageId: randomUuid(random),
    payloadType: random.pick([0, 1, 12, 0xffff_ffff, random.int(2 ** 32)]),
    payload: random.bytes(payloadLength),
  };
}

describe('round trips', () => {
  it('decode(encode(x)) is x for 500 seeded random messages', () => {
    const random = createRandom(20240601);
    for (let i = 0; i < 500; i++) {
      const message = randomMessage(random);
      const bytes = encodeAgentMessage(message, nodeSha256);
      const decoded = decodeAgentMessage(bytes, {
        verifyDigestWith: nodeSha256,
        maxPayloadLength: 4096,
      });
      expect({ ...decoded, payload: toHex(decoded.payload) }).toMatchObject({
        ...message,
        payload: toHex(message.payload),
        headerLength: 116,
      });
      expect(toHex(decoded.payloadDigest)).toBe(toHex(nodeSha256(message.payload)));
    }
  });

  it('encodes the same bytes as the independent vector builder', () => {
    const random = createRandom(7);
    for (let i = 0; i < 200; i++) {
      const message = randomMessage(random);
      expect(toHex(encodeAgentMessage(message, nodeSha256))).toBe(
        toHex(buildAgentMessageVector(message)),
      );
    }
  });

  it('keeps the largest values every 64-bit field may carry', () => {
    const message: AgentMessage = {
      messageType: 'x'.repeat(32),
      schemaVersion: 0xffff_ffff,
      createdDate: Number.MAX_SAFE_INTEGER,
      sequenceNumber: Number.MAX_SAFE_INTEGER,
      flags: Number.MAX_SAFE_INTEGER,
      messageId: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
      payloadType: 0xffff_ffff,
      payload: new Uint8Array(0),
    };
    expect(decodeAgentMessage(encodeAgentMessage(message, nodeSha256))).toMatchObject(message);
  });

  it('returns the payload and digest as views into the input, not copies', () => {
    const bytes = vector();
    const message = decodeAgentMessage(bytes);
    expect(message.payload.buffer).toBe(bytes.buffer);
    expect(message.payload.byteOffset).toBe(120);
    expect(message.payloadDigest.buffer).toBe(bytes.buffer);
    expect(message.payloadDigest.byteOffset).toBe(80);
  });

  it('decodes a message that sits at an offset inside a larger buffer', () => {
    const inner = vector({ payload: 'offset payload' });
    const outer = new Uint8Array(inner.length + 13);
    outer.fill(0xee);
    outer.set(inner, 5);
    const bytes = outer.subarray(5, 5 + inner.length);
    const message = decodeAgentMessage(bytes, { verifyDigestWith: nodeSha256 });
    expect(text(message.payload)).toBe('offset payload');
    expect(message.sequenceNumber).toBe(7);
    expect(message.payload.buffer).toBe(outer.buffer);
  });
});

describe('reader tolerance', () => {
  it('strips NUL padding after MessageType', () => {
    const bytes = vector({ messageType: 'acknowledge' }, { messageTypePadding: 'nul' });
    expect(toHex(bytes.subarray(15, 36))).toBe('00'.repeat(21));
    expect(decodeAgentMessage(bytes).messageType).toBe('acknowledge');
  });

  it('strips space padding after MessageType', () => {
    const bytes = vector({ messageType: 'acknowledge' }, { messageTypePadding: 'space' });
    expect(toHex(bytes.subarray(15, 36))).toBe('20'.repeat(21));
    expect(decodeAgentMessage(bytes).messageType).toBe('acknowledge');
  });

  it('strips a mix of NULs and whitespace on both sides', () => {
    for (const raw of [
      '  acknowledge',
      '\t\r\nacknowledge',
      '\0\0acknowledge',
      'acknowledge\0 \0\t',
    ]) {
      for (const padding of ['space', 'nul'] as const) {
        const bytes = vector({ messageType: raw }, { messageTypePadding: padding });
        expect(decodeAgentMessage(bytes).messageType, JSON.stringify(raw)).toBe('acknowledge');
      }
    }
  });

  it('accepts a MessageType that fills all 32 bytes', () => {
    const type = 'agent_update_result_0123456789ab';
    expect(type.length).toBe(32);
    expect(decodeAgentMessage(vector({ messageType: type })).messageType).toBe(type);
  });

  it('skips extra header bytes when HeaderLength is over 116 and reads the payload after them', () => {
    const extraHeader = fromHex('deadbeefcafef00d0102');
    const bytes = vector({ payload: 'after the long header' }, { extraHeader });
    expect(new DataView(bytes.buffer).getUint32(0)).toBe(126);
    const message = decodeAgentMessage(bytes, { verifyDigestWith: nodeSha256 });
    expect(message.headerLength).toBe(126);
    expect(message.payload.byteOffset).toBe(130);
    expect(text(message.payload)).toBe('after the long header');
  });

  it('accepts HeaderLength over 116 with an empty payload', () => {
    const bytes = vector({ payload: '' }, { extraHeader: new Uint8Array(4) });
    const message = decodeAgentMessage(bytes);
    expect(message.headerLength).toBe(120);
    expect(message.payload.length).toBe(0);
  });

  it('accepts a payload exactly at the configured maximum', () => {
    const bytes = vector({ payload: 'x'.repeat(256) });
    expect(decodeAgentMessage(bytes, { maxPayloadLength: 256 }).payload.length).toBe(256);
  });
});

describe('validation', () => {
  it('rejects every length below 120 bytes as FrameTruncated', () => {
    const whole = vector();
    for (let length = 0; length < 120; length++) {
      expect(decodeErrorCode(whole.slice(0, length)), `length ${length}`).toBe('FrameTruncated');
    }
  });

  it('rejects every cut of a message inside its payload as FramePayloadLengthMismatch', () => {
    const whole = vector({ payload: '0123456789' });
    for (let length = 120; length < whole.length; length++) {
      expect(decodeErrorCode(whole.slice(0, length)), `length ${length}`).toBe(
        'FramePayloadLengthMismatch',
      );
    }
  });

  it.each([
    ['zero', 0],
    ['one', 1],
    ['just under the fixed header', 115],
    ['largest uint32', 0xffff_ffff],
  ])('rejects HeaderLength %s as FrameHeaderInvalid', (_name, headerLength) => {
    expect(decodeErrorCode(vector({}, { headerLength }))).toBe('FrameHeaderInvalid');
  });

  it('rejects a HeaderLength that puts the payload past the end of the message', () => {
    const bytes = vector({ payload: '0123456789' });
    // 130 bytes: HeaderLength 126 is the largest that still fits (empty payload after it).
    expect(bytes.length).toBe(130);
    expect(decodeErrorCode(vector({ payload: '0123456789' }, { headerLength: 127 }))).toBe(
      'FrameHeaderInvalid',
    );
    expect(
      decodeErrorCode(vector({ payload: '0123456789' }, { headerLength: 126, payloadLength: 10 })),
    ).toBe('FramePayloadLengthMismatch');
    const empty = decodeAgentMessage(
      vector({ payload: '0123456789' }, { headerLength: 126, payloadLength: 0 }),
    );
    expect(empty.payload.length).toBe(0);
  });

  it('rejects a PayloadLength larger than the bytes present', () => {
    expect(decodeErrorCode(vector({ payload: 'abc' }, { payloadLength: 4 }))).toBe(
      'FramePayloadLengthMismatch',
    );
  });

  it('rejects a PayloadLength smaller than the bytes present', () => {
    expect(decodeErrorCode(vector({ payload: 'abc' }, { payloadLength: 2 }))).toBe(
      'FramePayloadLengthMismatch',
    );
    expect(decodeErrorCode(vector({ payload: 'abc' }, { payloadLength: 0 }))).toBe(
      'FramePayloadLengthMismatch',
    );
  });

  it('rejects a payload over the configured maximum', () => {
    const bytes = vector({ payload: 'x'.repeat(257) });
    expect(decodeErrorCode(bytes, { maxPayloadLength: 256 })).toBe('FramePayloadTooLarge');
    expect(decodeAgentMessage(bytes).payload.length).toBe(257);
  });

  it('applies a 1 MiB maximum by default', () => {
    expect(DEFAULT_MAX_PAYLOAD_LENGTH).toBe(1024 * 1024);
    const atLimit = vector({ payload: new Uint8Array(DEFAULT_MAX_PAYLOAD_LENGTH) });
    expect(decodeAgentMessage(atLimit).payload.length).toBe(DEFAULT_MAX_PAYLOAD_LENGTH);
    const overLimit = vector({ payload: new Uint8Array(DEFAULT_MAX_PAYLOAD_LENGTH + 1) });
    expect(decodeErrorCode(overLimit)).toBe('FramePayloadTooLarge');
  });

  it('rejects a PayloadLength of 2^32-1 before looking for the payload', () => {
    // Only three payload bytes are present; a decoder that compared lengths first would call this
    // a mismatch, one that allocated first would try to reserve 4 GiB.
    const bytes = vector({ payload: 'abc' }, { payloadLength: 0xffff_ffff });
    expect(bytes.length).toBe(123);
    expect(decodeErrorCode(bytes)).toBe('FramePayloadTooLarge');
    expect(decodeErrorCode(bytes, { maxPayloadLength: 256 })).toBe('FramePayloadTooLarge');
  });

  it.each([
    ['empty (all spaces)', '', 'space'],
    ['empty (all NULs)', '', 'nul'],
    ['only whitespace', '\t \n', 'space'],
    ['containing a space', 'output stream', 'space'],
    ['containing a NUL inside', 'output\0stream', 'space'],
    ['a control character', 'ack\x01', 'space'],
    ['DEL', 'ack\x7f', 'space'],
  ] as const)('rejects a MessageType %s', (_name, messageType, padding) => {
    expect(decodeErrorCode(vector({ messageType }, { messageTypePadding: padding }))).toBe(
      'FrameMessageTypeInvalid',
    );
  });

  it('rejects a non-ASCII MessageType', () => {
    for (const messageType of [
      Uint8Array.from([0x61, 0xc3, 0xa9]), // "aé" in UTF-8
      Uint8Array.from([0xff]),
      Uint8Array.from([0x80, 0x61]),
    ]) {
      expect(decodeErrorCode(vector({ messageType }))).toBe('FrameMessageTypeInvalid');
    }
  });

  it('rejects CreatedDate 0 as FrameCreatedDateMissing', () => {
    expect(decodeErrorCode(vector({ createdDate: 0 }))).toBe('FrameCreatedDateMissing');
  });

  it.each([
    ['CreatedDate of 2^53', { createdDate: 2n ** 53n }],
    ['CreatedDate of 2^64-1', { createdDate: 2n ** 64n - 1n }],
    ['SequenceNumber of -1', { sequenceNumber: -1n }],
    ['SequenceNumber of -2^63', { sequenceNumber: -(2n ** 63n) }],
    ['SequenceNumber of 2^53', { sequenceNumber: 2n ** 53n }],
    ['SequenceNumber of 2^63-1', { sequenceNumber: 2n ** 63n - 1n }],
    ['Flags of 2^53', { flags: 2n ** 53n }],
    ['Flags of 2^64-1', { flags: 2n ** 64n - 1n }],
  ] as const)('rejects %s as FrameFieldOutOfRange', (_name, fields) => {
    expect(decodeErrorCode(vector(fields))).toBe('FrameFieldOutOfRange');
  });

  it('accepts Number.MAX_SAFE_INTEGER in every 64-bit field', () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    const message = decodeAgentMessage(
      vector({ createdDate: max, sequenceNumber: max, flags: max }),
    );
    expect(message.createdDate).toBe(Number.MAX_SAFE_INTEGER);
    expect(message.sequenceNumber).toBe(Number.MAX_SAFE_INTEGER);
    expect(message.flags).toBe(Number.MAX_SAFE_INTEGER);
  });

  describe('payload digest', () => {
    const badDigest = new Uint8Array(32).fill(0xab);
    const verify: DecodeOptions = { verifyDigestWith: nodeSha256 };

    it('is rejected as FrameDigestMismatch when verifying (the plugin)', () => {
      expect(decodeErrorCode(vector({}, { digest: badDigest }), verify)).toBe(
        'FrameDigestMismatch',
      );
    });

    it('is caught when a single payload bit flips', () => {
      const bytes = vector({ payload: 'hello, world' });
      bytes[bytes.length - 1]! ^= 0x01;
      expect(decodeErrorCode(bytes, verify)).toBe('FrameDigestMismatch');
    });

    it('is rejected when the hash function returns a digest of another length', () => {
      const short = (data: Uint8Array): Uint8Array => nodeSha256(data).subarray(0, 31);
      expect(decodeErrorCode(vector(), { verifyDigestWith: short })).toBe('FrameDigestMismatch');
    });

    it('is not checked without verifyDigestWith (the agent)', () => {
      const message = decodeAgentMessage(vector({}, { digest: badDigest }));
      expect(toHex(message.payloadDigest)).toBe('ab'.repeat(32));
      expect(text(message.payload)).toBe('hello, world');
    });

    it('is not checked for an empty payload', () => {
      const message = decodeAgentMessage(vector({ payload: '' }, { digest: badDigest }), verify);
      expect(message.payload.length).toBe(0);
    });

    it.each([MessageType.StartPublication, MessageType.PausePublication])(
      'is not checked for %s',
      (messageType) => {
        const bytes = vector({ messageType, payload: 'x' }, { digest: badDigest });
        expect(decodeAgentMessage(bytes, verify).messageType).toBe(messageType);
      },
    );

    it('is checked for every other message type', () => {
      for (const messageType of Object.values(MessageType)) {
        if (
          messageType === MessageType.StartPublication ||
          messageType === MessageType.PausePublication
        ) {
          continue;
        }
        const bytes = vector({ messageType, payload: 'x' }, { digest: badDigest });
        expect(decodeErrorCode(bytes, verify), messageType).toBe('FrameDigestMismatch');
      }
    });
  });
});

describe('encodeAgentMessage', () => {
  const message: AgentMessage = {
    messageType: 'input_stream_data',
    schemaVersion: 1,
    createdDate: 1795719693230,
    sequenceNumber: 0,
    flags: 0,
    messageId: MESSAGE_ID,
    payloadType: 1,
    payload: new Uint8Array([0x6c, 0x73, 0x0d]),
  };

  it('pads MessageType with spaces and writes HeaderLength 116', () => {
    const bytes = encodeAgentMessage(message, nodeSha256);
    expect(toHex(bytes.subarray(0, 4))).toBe('00000074');
    expect(text(bytes.subarray(4, 36))).toBe('input_stream_data' + ' '.repeat(15));
    expect(toHex(bytes.subarray(64, 80))).toBe(uuidToWireHex(MESSAGE_ID));
    expect(toHex(bytes.subarray(116))).toBe('000000036c730d');
  });

  it('writes the SHA-256 of an empty payload when there is none', () => {
    const bytes = encodeAgentMessage({ ...message, payload: new Uint8Array(0) }, nodeSha256);
    expect(bytes.length).toBe(120);
    expect(toHex(bytes.subarray(80, 112))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('accepts an upper-case MessageId and writes the same bytes', () => {
    const upper = encodeAgentMessage(
      { ...message, messageId: MESSAGE_ID.toUpperCase() },
      nodeSha256,
    );
    expect(toHex(upper)).toBe(toHex(encodeAgentMessage(message, nodeSha256)));
  });

  it.each([
    ['an empty messageType', { messageType: '' }],
    ['a messageType with a space', { messageType: 'input stream' }],
    ['a messageType with leading space', { messageType: ' acknowledge' }],
    ['a 33-byte messageType', { messageType: 'x'.repeat(33) }],
    ['a non-ASCII messageType', { messageType: 'acknowledgé' }],
    ['createdDate 0', { createdDate: 0 }],
    ['a negative createdDate', { createdDate: -1 }],
    ['a fractional createdDate', { createdDate: 1.5 }],
    ['a createdDate past MAX_SAFE_INTEGER', { createdDate: Number.MAX_SAFE_INTEGER + 1 }],
    ['a negative sequenceNumber', { sequenceNumber: -1 }],
    ['a NaN sequenceNumber', { sequenceNumber: Number.NaN }],
    ['an infinite flags', { flags: Number.POSITIVE_INFINITY }],
    ['a schemaVersion over 32 bits', { schemaVersion: 2 ** 32 }],
    ['a negative payloadType', { payloadType: -1 }],
    ['a payloadType over 32 bits', { payloadType: 2 ** 32 }],
    ['a messageId that is not a UUID', { messageId: 'not-a-uuid' }],
    ['a messageId without hyphens', { messageId: MESSAGE_ID.replaceAll('-', '') }],
  ] as const)('throws on %s', (_name, change) => {
    expect(() => encodeAgentMessage({ ...message, ...change }, nodeSha256)).toThrow();
  });

  it('throws when the hash function returns a digest that is not 32 bytes', () => {
    expect(() => encodeAgentMessage(message, () => new Uint8Array(20))).toThrow(RangeError);
  });
});

describe('isValidMessageTypeText', () => {
  it('accepts 1-32 printable ASCII characters without spaces', () => {
    expect(isValidMessageTypeText('a')).toBe(true);
    expect(isValidMessageTypeText('~'.repeat(32))).toBe(true);
    expect(isValidMessageTypeText('')).toBe(false);
    expect(isValidMessageTypeText('~'.repeat(33))).toBe(false);
    expect(isValidMessageTypeText('a b')).toBe(false);
    expect(isValidMessageTypeText('ack\n')).toBe(false);
  });
});

describe('MessageId UUID layout', () => {
  it('writes the UUID’s last 8 bytes first and its first 8 bytes second', () => {
    const target = new Uint8Array(20).fill(0x55);
    writeSwappedUuid(MESSAGE_ID, target, 3);
    expect(toHex(target)).toBe('555555' + 'b9670dfd5633a873' + 'e654b05ee42248d0' + '55');
  });

  it('reads the swapped layout back into lowercase canonical text', () => {
    const source = fromHex('ff' + 'b9670dfd5633a873' + 'e654b05ee42248d0' + 'ff');
    expect(readSwappedUuid(source, 1)).toBe(MESSAGE_ID);
  });

  it('agrees with the testkit’s independent swap in both directions', () => {
    const random = createRandom(99);
    for (let i = 0; i < 200; i++) {
      const uuid = randomUuid(random);
      const written = new Uint8Array(16);
      writeSwappedUuid(uuid, written, 0);
      expect(toHex(written)).toBe(uuidToWireHex(uuid));
      expect(readSwappedUuid(fromHex(uuidToWireHex(uuid)), 0)).toBe(uuid);
      expect(wireHexToUuid(toHex(written))).toBe(uuid);
    }
  });

  it('lowercases an upper-case UUID on the way through', () => {
    const written = new Uint8Array(16);
    writeSwappedUuid(MESSAGE_ID.toUpperCase(), written, 0);
    expect(readSwappedUuid(written, 0)).toBe(MESSAGE_ID);
  });

  it('rejects text that is not a canonical UUID as a programmer mistake (RangeError)', () => {
    expect(() => writeSwappedUuid('e654b05e-e422-48d0-b967', new Uint8Array(16), 0)).toThrow(
      RangeError,
    );
  });

  it('isUuid accepts canonical UUIDs only', () => {
    expect(isUuid(MESSAGE_ID)).toBe(true);
    expect(isUuid(MESSAGE_ID.toUpperCase())).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('')).toBe(false);
    expect(isUuid(MESSAGE_ID.replaceAll('-', ''))).toBe(false);
    expect(isUuid(`{${MESSAGE_ID}}`)).toBe(false);
    expect(isUuid(`${MESSAGE_ID}\n`)).toBe(false);
    expect(isUuid(` ${MESSAGE_ID}`)).toBe(false);
    expect(isUuid(MESSAGE_ID.replace('e', 'g'))).toBe(false);
    expect(isUuid('e654b05ee-422-48d0-b967-0dfd5633a873')).toBe(false);
  });
});
