// channel_closed (ssm-wire §4.11, §6.5): the data-channel form captured from a fake MGS that the
// real plugin accepted (§12.4), and the control-channel form without Output.

import {
  encodeChannelClosed,
  parseChannelClosed,
  TEXT_PAYLOAD_MAX_BYTES,
  type ChannelClosed,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  expectFieldsEnforced,
  invalid,
  NOT_A_JSON_OBJECT,
  omit,
  text,
  utf8,
  WRONG,
} from './payloads-helpers.js';

// §12.4 with the elided MessageId ("…") filled in by a UUID; every other byte is the capture.
const CAPTURED =
  '{"MessageId":"0d6f1a3e-8c1b-4f5e-9a2d-3b7c4e5f6a7b","CreatedDate":"1795719696236","DestinationId":"i-0123456789abcdef0","SessionId":"x-0a1b2c3d4e5f67890","MessageType":"channel_closed","SchemaVersion":1,"Output":"bye from fake MGS"}';

const VALUE: ChannelClosed = {
  messageId: '0d6f1a3e-8c1b-4f5e-9a2d-3b7c4e5f6a7b',
  createdDate: '1795719696236',
  destinationId: 'i-0123456789abcdef0',
  sessionId: 'x-0a1b2c3d4e5f67890',
  schemaVersion: 1,
  output: 'bye from fake MGS',
};

// The agent's control-channel struct orders its keys differently (§6.5); order must not matter.
const CONTROL =
  '{"MessageType":"channel_closed","MessageId":"0d6f1a3e-8c1b-4f5e-9a2d-3b7c4e5f6a7b","DestinationId":"i-0123456789abcdef0","SessionId":"x-0a1b2c3d4e5f67890","SchemaVersion":1,"CreatedDate":"1795719696236"}';

describe('ChannelClosed', () => {
  it('parses the captured data-channel payload', () => {
    expect(parseChannelClosed(utf8(CAPTURED))).toEqual(VALUE);
  });

  it('encodes it byte for byte in MGS key order', () => {
    const init = omit(VALUE, 'schemaVersion');
    expect(text(encodeChannelClosed(init))).toBe(CAPTURED);
    expect(text(encodeChannelClosed(VALUE))).toBe(CAPTURED);
  });

  it('reads the control-channel form, whose Output is absent, as Output ""', () => {
    expect(parseChannelClosed(utf8(CONTROL))).toEqual({ ...VALUE, output: '' });
  });

  it('leaves Output out when it is undefined', () => {
    const control = omit(VALUE, 'output');
    const json = text(encodeChannelClosed(control));
    expect(json).not.toContain('Output');
    expect(JSON.parse(json)).toEqual(JSON.parse(CONTROL));
  });

  it('round-trips', () => {
    for (const value of [
      VALUE,
      { ...VALUE, output: '', schemaVersion: 7 },
      { ...VALUE, output: 'é\u2028"\n' },
    ]) {
      expect(parseChannelClosed(encodeChannelClosed(value))).toEqual(value);
    }
  });

  it('enforces every field', () => {
    expectFieldsEnforced((json) => parseChannelClosed(utf8(json)), JSON.parse(CAPTURED), [
      { key: 'MessageId', wrong: WRONG.string },
      { key: 'CreatedDate', wrong: [...WRONG.string, 1795719696236] },
      { key: 'DestinationId', wrong: WRONG.string },
      { key: 'SessionId', wrong: WRONG.string },
      { key: 'MessageType', wrong: [...WRONG.string, 'acknowledge', 'Channel_Closed', ''] },
      { key: 'SchemaVersion', wrong: [...WRONG.integer, 2 ** 32] },
      { key: 'Output', wrong: WRONG.string, optional: true },
    ]);
  });

  it('rejects what is not a JSON object and input over the cap', () => {
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseChannelClosed(bytes));
    const long = { ...VALUE, output: 'x'.repeat(TEXT_PAYLOAD_MAX_BYTES) };
    invalid(
      () =>
        parseChannelClosed(utf8(JSON.stringify({ ...JSON.parse(CAPTURED), Output: long.output }))),
      'limit',
    );
    expect(() => encodeChannelClosed(long)).toThrow(RangeError);
    expect(() => encodeChannelClosed({ ...VALUE, schemaVersion: -1 })).toThrow(RangeError);
  });
});
