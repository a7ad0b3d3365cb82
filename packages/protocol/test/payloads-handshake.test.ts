// Handshake payloads (ssm-wire §4.8, §4.9) against the real plugin's captured exchange (§12.4),
// the AWS plugin's answer to an unknown action, and OpenSSM's OpenSSMTransport negotiation.

import {
  AWS_PLUGIN_UNKNOWN_ACTION_STATUS,
  createKMSEncryptionResult,
  createOpenSSMTransportResult,
  DOCUMENT_PAYLOAD_MAX_BYTES,
  encodeEncChallengeRequest,
  encodeEncChallengeResponse,
  encodeHandshakeComplete,
  encodeHandshakeRequest,
  encodeHandshakeResponse,
  HandshakeActionStatus,
  HandshakeActionType,
  isActionSuccess,
  isBase64,
  OPENSSM_TRANSPORT_LIMITS,
  parseEncChallengeRequest,
  parseEncChallengeResponse,
  parseHandshakeComplete,
  parseHandshakeRequest,
  parseHandshakeResponse,
  parseKMSEncryptionResult,
  parseOpenSSMTransportResult,
  SessionType,
  type HandshakeRequest,
  type HandshakeResponse,
  type JsonValue,
  type OpenSSMTransportParameters,
  type RequestedClientAction,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  expectFieldsEnforced,
  invalid,
  NOT_A_JSON_OBJECT,
  parseJson,
  text,
  utf8,
  WRONG,
} from './payloads-helpers.js';

// §12.4, verbatim.
const CAPTURED_REQUEST =
  '{"AgentVersion":"3.3.987.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Standard_Stream","Properties":null}}]}';
const CAPTURED_RESPONSE =
  '{"ClientVersion":"1.2.0.0","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""}],"Errors":null}';
const CAPTURED_COMPLETE =
  '{"HandshakeTimeToComplete":123000000,"CustomerMessage":"hello from fake agent"}';

// §4.8's port request, compacted, with real base64 in place of the placeholders.
const PORT_KMS_REQUEST =
  '{"AgentVersion":"3.3.987.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"Port","Properties":{"portNumber":"80","type":"LocalPortForwarding","localPortNumber":"18777"}}},{"ActionType":"KMSEncryption","ActionParameters":{"KMSKeyId":"arn:aws:kms:us-east-1:111122223333:key/k","Challenge":"AAECAwQFBgcICQoLDA0ODw=="}}]}';

// What AWS's plugin (streaming.go handleHandshakeRequest) writes for an action it does not know:
// ActionStatus stays 0, ActionResult = message.Unsupported (3).
const AWS_UNSUPPORTED_RESPONSE =
  '{"ClientVersion":"1.2.0.0","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""},{"ActionType":"OpenSSMTransport","ActionStatus":0,"ActionResult":3,"Error":"Unsupported action OpenSSMTransport"}],"Errors":["Unsupported action OpenSSMTransport"]}';

const TRANSPORT: OpenSSMTransportParameters = {
  maxPayloadLength: 65_536,
  windowSize: 4096,
  cumulativeAcks: true,
};

describe('HandshakeRequest', () => {
  it('parses and re-encodes the captured request byte for byte', () => {
    const request = parseHandshakeRequest(utf8(CAPTURED_REQUEST));
    expect(request).toEqual({
      agentVersion: '3.3.987.0',
      requestedClientActions: [
        {
          known: true,
          actionType: 'SessionType',
          actionParameters: { sessionType: SessionType.StandardStream, properties: null },
        },
      ],
    });
    expect(text(encodeHandshakeRequest(request))).toBe(CAPTURED_REQUEST);
  });

  it('parses the port request with KMS and keeps Properties as JSON', () => {
    const request = parseHandshakeRequest(utf8(PORT_KMS_REQUEST));
    expect(request.requestedClientActions).toEqual([
      {
        known: true,
        actionType: 'SessionType',
        actionParameters: {
          sessionType: 'Port',
          properties: { portNumber: '80', type: 'LocalPortForwarding', localPortNumber: '18777' },
        },
      },
      {
        known: true,
        actionType: 'KMSEncryption',
        actionParameters: {
          kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
          challenge: 'AAECAwQFBgcICQoLDA0ODw==',
        },
      },
    ]);
    expect(text(encodeHandshakeRequest(request))).toBe(PORT_KMS_REQUEST);
  });

  it('accepts a KMSEncryption action without Challenge (older agents)', () => {
    const json = PORT_KMS_REQUEST.replace(',"Challenge":"AAECAwQFBgcICQoLDA0ODw=="', '');
    const request = parseHandshakeRequest(utf8(json));
    expect(request.requestedClientActions[1]).toEqual({
      known: true,
      actionType: 'KMSEncryption',
      actionParameters: { kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k' },
    });
    expect(text(encodeHandshakeRequest(request))).toBe(json);
  });

  it('parses an unknown action type into the generic variant, and re-encodes it as is', () => {
    const json =
      '{"AgentVersion":"9.9.9.9","RequestedClientActions":[{"ActionType":"FutureThing","ActionParameters":{"x":[1,2]}},{"ActionType":"Other","ActionParameters":null}]}';
    const request = parseHandshakeRequest(utf8(json));
    expect(request.requestedClientActions).toEqual([
      { known: false, actionType: 'FutureThing', actionParameters: { x: [1, 2] } },
      { known: false, actionType: 'Other', actionParameters: null },
    ]);
    expect(text(encodeHandshakeRequest(request))).toBe(json);
  });

  it('round-trips the OpenSSMTransport offer with its wire key order', () => {
    const request: HandshakeRequest = {
      agentVersion: '0.1.0',
      requestedClientActions: [
        {
          known: true,
          actionType: 'SessionType',
          actionParameters: { sessionType: 'Port', properties: { portNumber: '22' } },
        },
        { known: true, actionType: 'OpenSSMTransport', actionParameters: TRANSPORT },
      ],
    };
    const json = text(encodeHandshakeRequest(request));
    expect(json).toContain(
      '{"ActionType":"OpenSSMTransport","ActionParameters":{"MaxPayloadLength":65536,"WindowSize":4096,"CumulativeAcks":true}}',
    );
    expect(parseHandshakeRequest(utf8(json))).toEqual(request);
  });

  it('narrows actions by `known`, then by actionType', () => {
    const describeAction = (action: RequestedClientAction): string => {
      if (!action.known) return `unknown ${action.actionType}`;
      switch (action.actionType) {
        case 'SessionType':
          return action.actionParameters.sessionType;
        case 'KMSEncryption':
          return action.actionParameters.kmsKeyId;
        case 'OpenSSMTransport':
          return String(action.actionParameters.windowSize);
      }
    };
    expect(
      parseHandshakeRequest(utf8(PORT_KMS_REQUEST)).requestedClientActions.map(describeAction),
    ).toEqual(['Port', 'arn:aws:kms:us-east-1:111122223333:key/k']);
  });

  it('enforces the request fields', () => {
    const parse = (json: string): unknown => parseHandshakeRequest(utf8(json));
    expectFieldsEnforced(parse, JSON.parse(CAPTURED_REQUEST), [
      { key: 'AgentVersion', wrong: WRONG.string },
      { key: 'RequestedClientActions', wrong: [...WRONG.array, [1], ['x'], [null]] },
    ]);
    const withAction = (action: unknown): string =>
      JSON.stringify({ AgentVersion: '1', RequestedClientActions: [action] });
    expectFieldsEnforced(
      (json) => parse(withAction(parseJson(json))),
      { ActionType: 'SessionType', ActionParameters: { SessionType: 'Port', Properties: null } },
      [
        { key: 'ActionType', wrong: WRONG.string },
        { key: 'ActionParameters', wrong: WRONG.object },
      ],
    );
    expectFieldsEnforced(
      (json) => parse(withAction({ ActionType: 'SessionType', ActionParameters: parseJson(json) })),
      { SessionType: 'Port', Properties: null },
      [
        { key: 'SessionType', wrong: WRONG.string },
        { key: 'Properties', wrong: [] },
      ],
    );
    expectFieldsEnforced(
      (json) =>
        parse(withAction({ ActionType: 'KMSEncryption', ActionParameters: parseJson(json) })),
      { KMSKeyId: 'k', Challenge: 'AAAA' },
      [
        { key: 'KMSKeyId', wrong: WRONG.string },
        {
          key: 'Challenge',
          wrong: [...WRONG.string, 'AAA', 'AA=A', '****', 'AAAA\n', 'YQ'],
          optional: true,
        },
      ],
    );
    expectFieldsEnforced(
      (json) =>
        parse(withAction({ ActionType: 'OpenSSMTransport', ActionParameters: parseJson(json) })),
      { MaxPayloadLength: 1024, WindowSize: 1, CumulativeAcks: false },
      [
        { key: 'MaxPayloadLength', wrong: [...WRONG.integer, 1023, 16 * 1024 * 1024 + 1] },
        { key: 'WindowSize', wrong: [...WRONG.integer, 0, 1_000_001] },
        { key: 'CumulativeAcks', wrong: WRONG.boolean },
      ],
    );
    invalid(
      () => parse(withAction({ ActionType: 'SessionType', ActionParameters: [] })),
      'HandshakeRequest.RequestedClientActions[0].ActionParameters must be a JSON object, got array',
    );
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseHandshakeRequest(bytes));
    invalid(() => parseHandshakeRequest(new Uint8Array(DOCUMENT_PAYLOAD_MAX_BYTES + 1)), 'limit');
  });

  it('refuses to encode inconsistent actions', () => {
    const encode = (action: RequestedClientAction): Uint8Array =>
      encodeHandshakeRequest({ agentVersion: '1', requestedClientActions: [action] });
    expect(() => encode({ known: false, actionType: 'SessionType', actionParameters: {} })).toThrow(
      RangeError,
    );
    expect(() =>
      encode({
        known: true,
        actionType: 'KMSEncryption',
        actionParameters: { kmsKeyId: 'k', challenge: 'no!' },
      }),
    ).toThrow(RangeError);
    expect(() =>
      encode({
        known: true,
        actionType: 'OpenSSMTransport',
        actionParameters: { ...TRANSPORT, windowSize: 0 },
      }),
    ).toThrow(RangeError);
  });
});

describe('HandshakeResponse', () => {
  it('parses and encodes the captured response byte for byte', () => {
    const response = parseHandshakeResponse(utf8(CAPTURED_RESPONSE));
    expect(response).toEqual({
      clientVersion: '1.2.0.0',
      processedClientActions: [
        {
          actionType: 'SessionType',
          actionStatus: HandshakeActionStatus.Success,
          actionResult: null,
          error: '',
        },
      ],
      errors: null,
    });
    expect(isActionSuccess(response.processedClientActions[0]!)).toBe(true);
    expect(text(encodeHandshakeResponse(response))).toBe(CAPTURED_RESPONSE);
  });

  it("accepts AWS's plugin answer to an unknown action: ActionStatus 0, ActionResult 3", () => {
    const response = parseHandshakeResponse(utf8(AWS_UNSUPPORTED_RESPONSE));
    const transport = response.processedClientActions[1]!;
    expect(transport).toEqual({
      actionType: HandshakeActionType.OpenSSMTransport,
      actionStatus: AWS_PLUGIN_UNKNOWN_ACTION_STATUS,
      actionResult: HandshakeActionStatus.Unsupported,
      error: 'Unsupported action OpenSSMTransport',
    });
    expect(isActionSuccess(transport)).toBe(false);
    expect(response.errors).toEqual(['Unsupported action OpenSSMTransport']);
    expect(text(encodeHandshakeResponse(response))).toBe(AWS_UNSUPPORTED_RESPONSE);
  });

  it('round-trips an OpenSSM answer with OpenSSMTransport and KMS results', () => {
    const response: HandshakeResponse = {
      clientVersion: '1.2.553.0',
      processedClientActions: [
        { actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' },
        {
          actionType: 'OpenSSMTransport',
          actionStatus: 1,
          actionResult: createOpenSSMTransportResult(TRANSPORT),
          error: '',
        },
        {
          actionType: 'KMSEncryption',
          actionStatus: 1,
          actionResult: createKMSEncryptionResult({
            kmsCipherTextKey: 'AQID',
            kmsCipherTextHash: null,
          }),
          error: '',
        },
        {
          actionType: 'Future',
          actionStatus: 3,
          actionResult: null,
          error: 'Unsupported action Future',
        },
        {
          actionType: 'SessionType',
          actionStatus: 2,
          actionResult: { arbitrary: ['json'] },
          error: 'no',
        },
      ],
      errors: ['Unsupported action Future', 'no'],
    };
    const json = text(encodeHandshakeResponse(response));
    expect(json).toContain(
      '"ActionResult":{"MaxPayloadLength":65536,"WindowSize":4096,"CumulativeAcks":true}',
    );
    expect(json).toContain('"ActionResult":{"KMSCipherTextKey":"AQID","KMSCipherTextHash":null}');
    expect(parseHandshakeResponse(utf8(json))).toEqual(response);
    expect(
      parseHandshakeResponse(utf8(JSON.stringify({ ...JSON.parse(json), Errors: [] }))).errors,
    ).toEqual([]);
  });

  it('enforces the response fields', () => {
    const parse = (json: string): unknown => parseHandshakeResponse(utf8(json));
    expectFieldsEnforced(parse, JSON.parse(CAPTURED_RESPONSE), [
      { key: 'ClientVersion', wrong: WRONG.string },
      { key: 'ProcessedClientActions', wrong: [...WRONG.array, ['x']] },
      { key: 'Errors', wrong: ['x', 1, true, {}, [1], [null]] },
    ]);
    const withAction = (json: string): string =>
      JSON.stringify({
        ClientVersion: '1',
        ProcessedClientActions: [parseJson(json)],
        Errors: null,
      });
    expectFieldsEnforced(
      (json) => parse(withAction(json)),
      { ActionType: 'SessionType', ActionStatus: 1, ActionResult: null, Error: '' },
      [
        { key: 'ActionType', wrong: WRONG.string },
        { key: 'ActionStatus', wrong: [...WRONG.integer, 4, 1.5] },
        { key: 'ActionResult', wrong: [] },
        { key: 'Error', wrong: WRONG.string },
      ],
    );
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseHandshakeResponse(bytes));
    expect(() =>
      encodeHandshakeResponse({
        clientVersion: '1',
        processedClientActions: [
          { actionType: 'x', actionStatus: 4 as 1, actionResult: null, error: '' },
        ],
        errors: null,
      }),
    ).toThrow(RangeError);
  });
});

describe('OpenSSMTransport result', () => {
  it('parses the accepted values, within the offer', () => {
    const result = createOpenSSMTransportResult({
      maxPayloadLength: 4096,
      windowSize: 64,
      cumulativeAcks: false,
    });
    expect(parseOpenSSMTransportResult(result, TRANSPORT)).toEqual({
      maxPayloadLength: 4096,
      windowSize: 64,
      cumulativeAcks: false,
    });
    expect(parseOpenSSMTransportResult(createOpenSSMTransportResult(TRANSPORT), TRANSPORT)).toEqual(
      TRANSPORT,
    );
  });

  it('rejects a result above the offer', () => {
    const offer = { maxPayloadLength: 2048, windowSize: 8, cumulativeAcks: false };
    invalid(
      () =>
        parseOpenSSMTransportResult(
          createOpenSSMTransportResult({ ...offer, maxPayloadLength: 2049 }),
          offer,
        ),
      'MaxPayloadLength exceeds the offered 2048',
    );
    invalid(
      () =>
        parseOpenSSMTransportResult(
          createOpenSSMTransportResult({ ...offer, windowSize: 9 }),
          offer,
        ),
      'WindowSize exceeds',
    );
    invalid(
      () =>
        parseOpenSSMTransportResult(
          createOpenSSMTransportResult({ ...offer, cumulativeAcks: true }),
          offer,
        ),
      'CumulativeAcks is true but was not offered',
    );
    invalid(
      () =>
        parseOpenSSMTransportResult(
          createOpenSSMTransportResult({ ...offer, skipPayloadDigest: true }),
          offer,
        ),
      'SkipPayloadDigest is true but was not offered',
    );
  });

  it('carries SkipPayloadDigest only when true, and reads it as absent otherwise', () => {
    const skipping = { ...TRANSPORT, skipPayloadDigest: true };
    const json = createOpenSSMTransportResult(skipping);
    expect(json['SkipPayloadDigest']).toBe(true);
    expect(parseOpenSSMTransportResult(json, skipping)).toEqual(skipping);
    expect(
      'SkipPayloadDigest' in
        createOpenSSMTransportResult({ ...TRANSPORT, skipPayloadDigest: false }),
    ).toBe(false);
    // An explicit false (or an end that predates the key) means digests stay.
    expect(
      parseOpenSSMTransportResult({
        ...createOpenSSMTransportResult(TRANSPORT),
        SkipPayloadDigest: false,
      }),
    ).toEqual(TRANSPORT);
    invalid(
      () =>
        parseOpenSSMTransportResult({
          ...createOpenSSMTransportResult(TRANSPORT),
          SkipPayloadDigest: 'yes',
        }),
      'SkipPayloadDigest',
    );
  });

  it('rejects the AWS unsupported marker and malformed results', () => {
    invalid(
      () => parseOpenSSMTransportResult(3),
      'HandshakeResponse.OpenSSMTransport.ActionResult must be a JSON object, got number',
    );
    invalid(() => parseOpenSSMTransportResult(null), 'got null');
    expectFieldsEnforced(
      (json) => parseOpenSSMTransportResult(JSON.parse(json) as JsonValue),
      { MaxPayloadLength: 1024, WindowSize: 1, CumulativeAcks: true },
      [
        {
          key: 'MaxPayloadLength',
          wrong: [...WRONG.integer, OPENSSM_TRANSPORT_LIMITS.maxPayloadLength.max + 1],
        },
        { key: 'WindowSize', wrong: [...WRONG.integer, 0] },
        { key: 'CumulativeAcks', wrong: WRONG.boolean },
      ],
    );
  });
});

describe('KMSEncryption result', () => {
  it('round-trips with and without ChallengeAcknowledgement', () => {
    for (const value of [
      { kmsCipherTextKey: 'AQIDBA==', kmsCipherTextHash: null },
      { kmsCipherTextKey: '', kmsCipherTextHash: 'AAAA', challengeAcknowledgement: true },
    ]) {
      expect(parseKMSEncryptionResult(createKMSEncryptionResult(value))).toEqual(value);
    }
  });

  it('enforces its fields', () => {
    expectFieldsEnforced(
      (json) => parseKMSEncryptionResult(JSON.parse(json) as JsonValue),
      { KMSCipherTextKey: 'AQID', KMSCipherTextHash: null, ChallengeAcknowledgement: false },
      [
        { key: 'KMSCipherTextKey', wrong: [...WRONG.string, 'A', 'AQI*'] },
        { key: 'KMSCipherTextHash', wrong: [1, true, {}, [], 'A=='] },
        { key: 'ChallengeAcknowledgement', wrong: WRONG.boolean, optional: true },
      ],
    );
    expect(() =>
      createKMSEncryptionResult({ kmsCipherTextKey: '!', kmsCipherTextHash: null }),
    ).toThrow(RangeError);
    expect(() =>
      createKMSEncryptionResult({ kmsCipherTextKey: 'AAAA', kmsCipherTextHash: '!' }),
    ).toThrow(RangeError);
  });
});

describe('HandshakeComplete', () => {
  it('parses and encodes the captured payload byte for byte', () => {
    const complete = parseHandshakeComplete(utf8(CAPTURED_COMPLETE));
    expect(complete).toEqual({
      handshakeTimeToComplete: 123_000_000,
      customerMessage: 'hello from fake agent',
    });
    expect(text(encodeHandshakeComplete(complete))).toBe(CAPTURED_COMPLETE);
  });

  it('round-trips and enforces its fields', () => {
    const value = {
      handshakeTimeToComplete: Number.MAX_SAFE_INTEGER,
      customerMessage: 'This session is encrypted using AWS KMS.',
    };
    expect(parseHandshakeComplete(encodeHandshakeComplete(value))).toEqual(value);
    expectFieldsEnforced(
      (json) => parseHandshakeComplete(utf8(json)),
      JSON.parse(CAPTURED_COMPLETE),
      [
        { key: 'HandshakeTimeToComplete', wrong: [...WRONG.integer, 2 ** 53, '123000000'] },
        { key: 'CustomerMessage', wrong: WRONG.string },
      ],
    );
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseHandshakeComplete(bytes));
    expect(() => encodeHandshakeComplete({ ...value, handshakeTimeToComplete: -1 })).toThrow(
      RangeError,
    );
  });
});

describe('EncChallengeRequest / EncChallengeResponse', () => {
  it('round-trip base64 challenges with the exact key', () => {
    const challenge = Buffer.from(Array.from({ length: 92 }, (_, i) => i)).toString('base64');
    expect(text(encodeEncChallengeRequest({ challenge }))).toBe(`{"Challenge":"${challenge}"}`);
    expect(parseEncChallengeRequest(encodeEncChallengeRequest({ challenge }))).toEqual({
      challenge,
    });
    expect(parseEncChallengeResponse(encodeEncChallengeResponse({ challenge }))).toEqual({
      challenge,
    });
    expect(isBase64(challenge)).toBe(true);
  });

  it('reject non-base64, other casing and non-objects', () => {
    for (const parse of [parseEncChallengeRequest, parseEncChallengeResponse]) {
      expectFieldsEnforced((json) => parse(utf8(json)), { Challenge: 'AAAA' }, [
        { key: 'Challenge', wrong: [...WRONG.string, 'AAA', 'AA==AA==', 'A-_A', 'AAAA '] },
      ]);
      invalid(() => parse(utf8('{"challenge":"AAAA"}')), 'Challenge is missing');
      for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parse(bytes));
    }
    expect(() => encodeEncChallengeRequest({ challenge: 'A' })).toThrow(RangeError);
  });
});
