// AWS's argv contract for session-manager-plugin (ssm-wire §3.1) at every arity, the literal and
// the environment-variable form of the StartSession response, and the captured vector of §12.1.

import { describe, expect, it } from 'vitest';
import { parsePluginArgv, parseStartSessionResponse } from '../src/plugin/plugin-argv.js';

const PROGRAM = '/usr/local/bin/session-manager-plugin';
/** argv[1] exactly as `aws` 2.9.19 passed it (§12.1), ResponseMetadata included. */
const CAPTURED_RESPONSE =
  '{"SessionId": "x-0a1b2c3d4e5f67890", "TokenValue": "AAEAAfaketoken==", "StreamUrl": "wss://127.0.0.1:1/v1/data-channel/x-0a1b2c3d4e5f67890?role=publish_subscribe&cell-number=AAEAA", "ResponseMetadata": {"RequestId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "HTTPStatusCode": 200, "HTTPHeaders": {"server": "BaseHTTP/0.6 Python/3.11.7", "date": "Thu, 26 Nov 2026 18:56:07 GMT", "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "content-length": "181"}, "RetryAttempts": 0}}';
const START = {
  sessionId: 'x-0a1b2c3d4e5f67890',
  tokenValue: 'AAEAAfaketoken==',
  streamUrl:
    'wss://127.0.0.1:1/v1/data-channel/x-0a1b2c3d4e5f67890?role=publish_subscribe&cell-number=AAEAA',
};

describe('parsePluginArgv', () => {
  it('reports installation with no arguments', () => {
    expect(parsePluginArgv([PROGRAM], {})).toEqual({ kind: 'installed' });
  });

  it('reports the version for exactly --version', () => {
    expect(parsePluginArgv([PROGRAM, '--version'], {})).toEqual({ kind: 'version' });
  });

  it('calls 2 and 3 arguments an unknown operation, --version with extras included', () => {
    expect(parsePluginArgv([PROGRAM, 'hello'], {})).toEqual({
      kind: 'unknown-operation',
      argument: 'hello',
    });
    expect(parsePluginArgv([PROGRAM, '--version', 'x'], {})).toEqual({
      kind: 'unknown-operation',
      argument: '--version',
    });
  });

  it('parses the captured 7-argument vector of aws 2.9.19', () => {
    const invocation = parsePluginArgv(
      [
        PROGRAM,
        CAPTURED_RESPONSE,
        'us-east-1',
        'StartSession',
        '',
        '{"Target": "i-0123456789abcdef0"}',
        'http://127.0.0.1:18555',
      ],
      {},
    );
    expect(invocation).toEqual({
      kind: 'start-session',
      start: START,
      region: 'us-east-1',
      profile: '',
      target: 'i-0123456789abcdef0',
      endpoint: 'http://127.0.0.1:18555',
      legacy: false,
    });
  });

  it('accepts the legacy 4-argument form (no profile, parameters or endpoint)', () => {
    const invocation = parsePluginArgv(
      [PROGRAM, CAPTURED_RESPONSE, 'eu-west-1', 'StartSession'],
      {},
    );
    expect(invocation).toMatchObject({
      kind: 'start-session',
      region: 'eu-west-1',
      profile: '',
      target: undefined,
      endpoint: undefined,
      legacy: true,
    });
  });

  it('takes 5 and 6 arguments (profile, then parameters) and ignores arguments past the 7th', () => {
    expect(
      parsePluginArgv([PROGRAM, CAPTURED_RESPONSE, 'eu-west-1', 'StartSession', 'dev'], {}),
    ).toMatchObject({ profile: 'dev', target: undefined, legacy: false });
    expect(
      parsePluginArgv(
        [
          PROGRAM,
          CAPTURED_RESPONSE,
          'r',
          'StartSession',
          'dev',
          '{"Target":"mi-1"}',
          'https://e',
          'extra',
        ],
        {},
      ),
    ).toMatchObject({ profile: 'dev', target: 'mi-1', endpoint: 'https://e' });
  });

  it('tolerates parameters that are not JSON or have no Target', () => {
    for (const parameters of ['not json', '[]', '{"Target": 5}', 'null']) {
      expect(
        parsePluginArgv([PROGRAM, CAPTURED_RESPONSE, 'r', 'StartSession', '', parameters], {}),
      ).toMatchObject({ kind: 'start-session', target: undefined });
    }
  });

  it('reads the response from an AWS_SSM_START_SESSION_RESPONSE* variable and unsets it', () => {
    const env: Record<string, string | undefined> = {
      AWS_SSM_START_SESSION_RESPONSE_1234: JSON.stringify({
        SessionId: START.sessionId,
        TokenValue: START.tokenValue,
        StreamUrl: START.streamUrl,
      }),
      OTHER: 'kept',
    };
    const invocation = parsePluginArgv(
      [
        PROGRAM,
        'AWS_SSM_START_SESSION_RESPONSE_1234',
        'us-east-1',
        'StartSession',
        '',
        '{}',
        'https://e',
      ],
      env,
    );
    expect(invocation).toMatchObject({ kind: 'start-session', start: START });
    expect('AWS_SSM_START_SESSION_RESPONSE_1234' in env).toBe(false);
    expect(env['OTHER']).toBe('kept');
  });

  it('unsets the variable even when the operation is invalid', () => {
    const env: Record<string, string | undefined> = { AWS_SSM_START_SESSION_RESPONSE: '{}' };
    expect(
      parsePluginArgv([PROGRAM, 'AWS_SSM_START_SESSION_RESPONSE', 'r', 'ResumeSession'], env),
    ).toEqual({ kind: 'invalid-operation' });
    expect(env).toEqual({});
  });

  it('treats a missing variable as an empty (invalid) response', () => {
    expect(
      parsePluginArgv([PROGRAM, 'AWS_SSM_START_SESSION_RESPONSE_X', 'r', 'StartSession'], {}),
    ).toMatchObject({
      kind: 'invalid-response',
      reason: expect.stringMatching(/not JSON/) as unknown,
    });
  });

  it('rejects any operation but StartSession', () => {
    expect(parsePluginArgv([PROGRAM, CAPTURED_RESPONSE, 'r', 'startsession'], {})).toEqual({
      kind: 'invalid-operation',
    });
  });

  it('reports responses without the fields a client needs', () => {
    expect(parsePluginArgv([PROGRAM, '{"SessionId":"s"}', 'r', 'StartSession'], {})).toEqual({
      kind: 'invalid-response',
      reason: 'the StartSession response has no StreamUrl',
    });
  });
});

describe('parseStartSessionResponse', () => {
  it.each([
    ['not json', /not JSON/],
    ['[1]', /not a JSON object/],
    ['null', /not a JSON object/],
    ['{"SessionId":"s","StreamUrl":"u","TokenValue":""}', /no TokenValue/],
    ['{"SessionId":1,"StreamUrl":"u","TokenValue":"t"}', /no SessionId/],
  ])('rejects %s', (text, reason) => {
    expect(() => parseStartSessionResponse(text)).toThrow(reason);
  });
});
