// AcknowledgeContent (ssm-wire §4.6) against the real plugin capture of §4.2, plus OpenSSM's
// optional cumulative flag.

import { createHash } from 'node:crypto';
import {
  createAcknowledgeContent,
  encodeAcknowledgeContent,
  parseAcknowledgeContent,
  SMALL_PAYLOAD_MAX_BYTES,
  type AcknowledgeContent,
} from '@openssm/protocol';
import { createRandom } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import {
  expectFieldsEnforced,
  invalid,
  NOT_A_JSON_OBJECT,
  text,
  utf8,
  WRONG,
} from './payloads-helpers.js';

// Verbatim payload of the plugin's acknowledge (§4.2: PayloadLength 176, digest 26cc13fc…c8b08a).
const CAPTURED_ACK =
  '{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"bb252f5d-af83-4398-afd7-e7778696026c","AcknowledgedMessageSequenceNumber":0,"IsSequentialMessage":true}';

const CAPTURED: AcknowledgeContent = {
  acknowledgedMessageType: 'output_stream_data',
  acknowledgedMessageId: 'bb252f5d-af83-4398-afd7-e7778696026c',
  acknowledgedSequenceNumber: 0,
  isSequentialMessage: true,
};

describe('AcknowledgeContent', () => {
  it('the capture vector is the bytes the plugin hashed', () => {
    const digest = createHash('sha256').update(CAPTURED_ACK).digest('hex');
    expect(utf8(CAPTURED_ACK).length).toBe(176);
    expect(digest.startsWith('26cc13fc')).toBe(true);
    expect(digest.endsWith('c8b08a')).toBe(true);
  });

  it('parses the captured ack', () => {
    expect(parseAcknowledgeContent(utf8(CAPTURED_ACK))).toEqual(CAPTURED);
  });

  it('encodes byte for byte what the plugin sends', () => {
    expect(text(encodeAcknowledgeContent(CAPTURED))).toBe(CAPTURED_ACK);
    const fromMessage = createAcknowledgeContent({
      messageType: 'output_stream_data',
      messageId: 'bb252f5d-af83-4398-afd7-e7778696026c',
      sequenceNumber: 0,
    });
    expect(text(encodeAcknowledgeContent(fromMessage))).toBe(CAPTURED_ACK);
  });

  it('appends OpenSSMCumulative after IsSequentialMessage only when set', () => {
    const cumulative = { ...CAPTURED, acknowledgedSequenceNumber: 41, openSsmCumulative: true };
    const json = text(encodeAcknowledgeContent(cumulative));
    expect(json).toBe(
      '{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"bb252f5d-af83-4398-afd7-e7778696026c","AcknowledgedMessageSequenceNumber":41,"IsSequentialMessage":true,"OpenSSMCumulative":true}',
    );
    expect(parseAcknowledgeContent(utf8(json))).toEqual(cumulative);
    expect(parseAcknowledgeContent(utf8(CAPTURED_ACK))).not.toHaveProperty('openSsmCumulative');
    const explicitFalse = { ...CAPTURED, openSsmCumulative: false };
    expect(parseAcknowledgeContent(encodeAcknowledgeContent(explicitFalse))).toEqual(explicitFalse);
  });

  it('round-trips random acks', () => {
    const random = createRandom(0xac4);
    const types = ['output_stream_data', 'input_stream_data', 'x', 'a'.repeat(32)];
    for (let i = 0; i < 500; i++) {
      const hex = Array.from(random.bytes(16), (b) => b.toString(16).padStart(2, '0')).join('');
      const value: AcknowledgeContent = {
        acknowledgedMessageType: random.pick(types),
        acknowledgedMessageId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
        acknowledgedSequenceNumber: random.pick([
          0,
          1,
          Number.MAX_SAFE_INTEGER,
          random.int(2 ** 40),
        ]),
        isSequentialMessage: random.chance(0.5),
        ...(random.chance(0.5) ? { openSsmCumulative: random.chance(0.5) } : {}),
      };
      expect(parseAcknowledgeContent(encodeAcknowledgeContent(value))).toEqual(value);
    }
  });

  it('enforces every field', () => {
    expectFieldsEnforced((json) => parseAcknowledgeContent(utf8(json)), JSON.parse(CAPTURED_ACK), [
      {
        key: 'AcknowledgedMessageType',
        wrong: [...WRONG.string, '', 'has space', 'a'.repeat(33), 'é'],
      },
      {
        key: 'AcknowledgedMessageId',
        wrong: [
          ...WRONG.string,
          '',
          'bb252f5d',
          'bb252f5d-af83-4398-afd7-e7778696026c0',
          '{bb252f5d-af83-4398-afd7-e7778696026c}',
        ],
      },
      {
        key: 'AcknowledgedMessageSequenceNumber',
        wrong: [...WRONG.integer, 2 ** 53, -0.5, Number.MAX_SAFE_INTEGER + 2],
      },
      { key: 'IsSequentialMessage', wrong: WRONG.boolean },
      { key: 'OpenSSMCumulative', wrong: WRONG.boolean, optional: true },
    ]);
  });

  it('accepts an upper-case UUID and ignores unknown keys', () => {
    const json = CAPTURED_ACK.replace('bb252f5d', 'BB252F5D').replace('{', '{"Extra":[1,{}],');
    expect(parseAcknowledgeContent(utf8(json)).acknowledgedMessageId).toBe(
      'BB252F5D-af83-4398-afd7-e7778696026c',
    );
  });

  it('is case-sensitive about keys', () => {
    invalid(
      () =>
        parseAcknowledgeContent(
          utf8(CAPTURED_ACK.replace('IsSequentialMessage', 'isSequentialMessage')),
        ),
      'IsSequentialMessage is missing',
    );
  });

  it('rejects what is not a JSON object and input over the cap', () => {
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseAcknowledgeContent(bytes));
    const padded = CAPTURED_ACK.replace('{', `{"pad":"${'x'.repeat(SMALL_PAYLOAD_MAX_BYTES)}",`);
    invalid(() => parseAcknowledgeContent(utf8(padded)), 'limit');
  });

  it('refuses to encode values no peer could accept', () => {
    expect(() => encodeAcknowledgeContent({ ...CAPTURED, acknowledgedMessageType: '' })).toThrow(
      RangeError,
    );
    expect(() => encodeAcknowledgeContent({ ...CAPTURED, acknowledgedMessageId: 'nope' })).toThrow(
      RangeError,
    );
    for (const n of [-1, 0.5, 2 ** 53, Number.NaN]) {
      expect(() =>
        encodeAcknowledgeContent({ ...CAPTURED, acknowledgedSequenceNumber: n }),
      ).toThrow(RangeError);
    }
  });
});
