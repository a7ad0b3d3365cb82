// First text frames (ssm-wire §4.1, §6.3): the plugin's captured OpenDataChannel (§4.1, §12.4),
// the agent's variant, OpenControlChannel, and the 64 KiB cap checked before JSON.parse.

import {
  encodeAgentOpenDataChannel,
  encodeClientOpenDataChannel,
  encodeOpenControlChannel,
  OPEN_CHANNEL_TEXT_MAX_LENGTH,
  parseAgentOpenDataChannel,
  parseAnyOpenDataChannel,
  parseClientOpenDataChannel,
  parseOpenControlChannel,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  expectFieldsEnforced,
  invalid,
  NOT_A_JSON_OBJECT,
  omit,
  text,
  WRONG,
} from './payloads-helpers.js';

// §4.1, verbatim.
const CAPTURED_CLIENT =
  '{"MessageSchemaVersion":"1.0","RequestId":"f0ad7c92-c8a2-42d9-9b8d-20d8de74de44","TokenValue":"AAEAAfaketoken==","ClientId":"71a7355a-f98f-499a-90d9-4ce8d5724f43","ClientVersion":"1.2.0.0"}';
const CLIENT = {
  messageSchemaVersion: '1.0',
  requestId: 'f0ad7c92-c8a2-42d9-9b8d-20d8de74de44',
  tokenValue: 'AAEAAfaketoken==',
  clientId: '71a7355a-f98f-499a-90d9-4ce8d5724f43',
  clientVersion: '1.2.0.0',
};

// §4.1 agent variant and §6.3 control channel, as the agent's Go structs write them.
const AGENT =
  '{"MessageSchemaVersion":"1.0","RequestId":"0f0e0d0c-0b0a-4908-8706-050403020100","TokenValue":"agent-token","ClientInstanceId":"i-0123456789abcdef0","ClientId":""}';
const CONTROL =
  '{"Cookie":null,"MessageSchemaVersion":"1.0","RequestId":"0f0e0d0c-0b0a-4908-8706-050403020100","TokenValue":"control-token","AgentVersion":"3.3.987.0","PlatformType":"linux"}';

describe('OpenDataChannel from a client', () => {
  it('parses and encodes the captured frame byte for byte', () => {
    expect(parseClientOpenDataChannel(CAPTURED_CLIENT)).toEqual(CLIENT);
    expect(encodeClientOpenDataChannel(CLIENT)).toBe(CAPTURED_CLIENT);
    const withoutSchema = omit(CLIENT, 'messageSchemaVersion');
    expect(encodeClientOpenDataChannel(withoutSchema)).toBe(CAPTURED_CLIENT);
  });

  it('accepts older plugins without ClientVersion', () => {
    const old = omit(CLIENT, 'clientVersion');
    const json = encodeClientOpenDataChannel(old);
    expect(json).not.toContain('ClientVersion');
    expect(parseClientOpenDataChannel(json)).toEqual(old);
  });

  it('enforces every field', () => {
    expectFieldsEnforced(parseClientOpenDataChannel, JSON.parse(CAPTURED_CLIENT), [
      { key: 'MessageSchemaVersion', wrong: [...WRONG.string, ''] },
      { key: 'RequestId', wrong: [...WRONG.string, ''] },
      { key: 'TokenValue', wrong: [...WRONG.string, ''] },
      { key: 'ClientId', wrong: WRONG.string },
      { key: 'ClientVersion', wrong: WRONG.string, optional: true },
    ]);
    for (const [, bytes] of NOT_A_JSON_OBJECT)
      invalid(() => parseClientOpenDataChannel(text(bytes)));
  });
});

describe('OpenDataChannel from an agent', () => {
  const VALUE = {
    messageSchemaVersion: '1.0',
    requestId: '0f0e0d0c-0b0a-4908-8706-050403020100',
    tokenValue: 'agent-token',
    clientInstanceId: 'i-0123456789abcdef0',
    clientId: '',
  };

  it('parses and encodes byte for byte, with the empty ClientId', () => {
    expect(parseAgentOpenDataChannel(AGENT)).toEqual(VALUE);
    expect(encodeAgentOpenDataChannel(VALUE)).toBe(AGENT);
  });

  it('enforces every field', () => {
    expectFieldsEnforced(parseAgentOpenDataChannel, JSON.parse(AGENT), [
      { key: 'MessageSchemaVersion', wrong: [...WRONG.string, ''] },
      { key: 'RequestId', wrong: [...WRONG.string, ''] },
      { key: 'TokenValue', wrong: [...WRONG.string, ''] },
      { key: 'ClientInstanceId', wrong: [...WRONG.string, ''] },
      { key: 'ClientId', wrong: WRONG.string },
    ]);
    expect(() => encodeAgentOpenDataChannel({ ...VALUE, clientInstanceId: '' })).toThrow(
      RangeError,
    );
  });

  it('is told apart from a client by ClientInstanceId', () => {
    expect(parseAnyOpenDataChannel(AGENT)).toEqual({ from: 'agent', request: VALUE });
    expect(parseAnyOpenDataChannel(CAPTURED_CLIENT)).toEqual({ from: 'client', request: CLIENT });
    invalid(
      () => parseAnyOpenDataChannel(AGENT.replace('"i-0123456789abcdef0"', '7')),
      'ClientInstanceId',
    );
    invalid(() => parseAnyOpenDataChannel('[]'), 'OpenDataChannel must be a JSON object');
  });
});

describe('OpenControlChannel', () => {
  const VALUE = {
    cookie: null,
    messageSchemaVersion: '1.0',
    requestId: '0f0e0d0c-0b0a-4908-8706-050403020100',
    tokenValue: 'control-token',
    agentVersion: '3.3.987.0',
    platformType: 'linux',
  };

  it('parses and encodes byte for byte, Cookie null first', () => {
    expect(parseOpenControlChannel(CONTROL)).toEqual(VALUE);
    expect(encodeOpenControlChannel(VALUE)).toBe(CONTROL);
    const withCookie = { ...VALUE, cookie: 'c' };
    expect(parseOpenControlChannel(encodeOpenControlChannel(withCookie))).toEqual(withCookie);
  });

  it('enforces every field', () => {
    expectFieldsEnforced(parseOpenControlChannel, JSON.parse(CONTROL), [
      { key: 'Cookie', wrong: [1, true, {}, []] },
      { key: 'MessageSchemaVersion', wrong: [...WRONG.string, ''] },
      { key: 'RequestId', wrong: [...WRONG.string, ''] },
      { key: 'TokenValue', wrong: [...WRONG.string, ''] },
      { key: 'AgentVersion', wrong: WRONG.string },
      { key: 'PlatformType', wrong: WRONG.string },
    ]);
  });
});

describe('text frame caps', () => {
  it('rejects text over 64 KiB before parsing it', () => {
    const long = CAPTURED_CLIENT.replace(
      '{',
      `{"x":"${'a'.repeat(OPEN_CHANNEL_TEXT_MAX_LENGTH)}",`,
    );
    for (const parse of [
      parseClientOpenDataChannel,
      parseAgentOpenDataChannel,
      parseAnyOpenDataChannel,
      parseOpenControlChannel,
    ]) {
      invalid(() => parse(long), `characters; the limit is ${OPEN_CHANNEL_TEXT_MAX_LENGTH}`);
    }
    expect(() =>
      encodeClientOpenDataChannel({
        ...CLIENT,
        tokenValue: 'a'.repeat(OPEN_CHANNEL_TEXT_MAX_LENGTH),
      }),
    ).toThrow(RangeError);
  });

  it('refuses to encode empty ids and tokens', () => {
    expect(() => encodeClientOpenDataChannel({ ...CLIENT, tokenValue: '' })).toThrow(RangeError);
    expect(() => encodeClientOpenDataChannel({ ...CLIENT, requestId: '' })).toThrow(RangeError);
    expect(() => encodeClientOpenDataChannel({ ...CLIENT, messageSchemaVersion: '' })).toThrow(
      RangeError,
    );
  });
});
