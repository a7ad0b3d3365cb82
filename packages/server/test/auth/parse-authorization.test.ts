// The Authorization and X-Amz-Date parsers: what real clients send parses; every malformed
// variant is IncompleteSignature with a message saying what is wrong; absence is
// MissingAuthenticationToken.

import { CodedError, type ErrorCode } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  MAX_ACCESS_KEY_ID_LENGTH,
  MAX_AUTHORIZATION_LENGTH,
  MAX_SIGNED_HEADERS,
  parseAmzDate,
  parseAuthorization,
} from '../../src/auth/parse-authorization.js';

const HEX_SIGNATURE = 'c5470fd03f43871e0e28d2d1a8bb04b87ff238cdc072d49b3c556fccfb06f85b';
// Captured from /usr/bin/aws 2.9.19 (see real-clients.test.ts).
const CLI_HEADER =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/ssm/aws4_request, ' +
  `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${HEX_SIGNATURE}`;

function header(parts: {
  credential?: string;
  signedHeaders?: string;
  signature?: string;
}): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${parts.credential ?? 'AKID/20261126/us-east-1/ssm/aws4_request'}, ` +
    `SignedHeaders=${parts.signedHeaders ?? 'host;x-amz-date'}, Signature=${parts.signature ?? HEX_SIGNATURE}`
  );
}

function failure(run: () => unknown): { code: ErrorCode; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof CodedError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a CodedError');
}

describe('parseAuthorization', () => {
  it('parses the header the AWS CLI sends', () => {
    expect(parseAuthorization(CLI_HEADER)).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      scope: { date: '20261126', region: 'us-east-1', service: 'ssm' },
      signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
      signature: HEX_SIGNATURE,
    });
  });

  it('accepts the parameters in any order and with or without spaces after commas', () => {
    const reordered =
      `AWS4-HMAC-SHA256 Signature=${HEX_SIGNATURE},SignedHeaders=host,` +
      '   Credential=AKID/20261126/us-east-1/ssm/aws4_request';
    expect(parseAuthorization(reordered)).toMatchObject({
      accessKeyId: 'AKID',
      signedHeaders: ['host'],
      signature: HEX_SIGNATURE,
    });
  });

  it('accepts a base64 signature (the RSA variant) and a managed instance id', () => {
    const signature = `${'A/+z'.repeat(85)}Ag==`;
    const parsed = parseAuthorization(
      header({ credential: 'mi-0123456789abcdef0/20261126/us-east-1/ssm/aws4_request', signature }),
    );
    expect(parsed.accessKeyId).toBe('mi-0123456789abcdef0');
    expect(parsed.signature).toBe(signature);
  });

  it('accepts an access key id of exactly the maximum length and 64 signed headers', () => {
    const accessKeyId = 'A'.repeat(MAX_ACCESS_KEY_ID_LENGTH);
    const names = Array.from(
      { length: MAX_SIGNED_HEADERS - 1 },
      (_, i) => `x-${String(i).padStart(2, '0')}`,
    );
    const parsed = parseAuthorization(
      header({
        credential: `${accessKeyId}/20261126/us-east-1/ssm/aws4_request`,
        signedHeaders: ['host', ...names].join(';'),
      }),
    );
    expect(parsed.accessKeyId).toBe(accessKeyId);
    expect(parsed.signedHeaders).toHaveLength(MAX_SIGNED_HEADERS);
  });

  it('reports a missing or empty header as MissingAuthenticationToken', () => {
    for (const value of [undefined, '']) {
      expect(failure(() => parseAuthorization(value))).toEqual({
        code: 'MissingAuthenticationToken',
        message: 'Missing Authentication Token',
      });
    }
  });

  const malformed: [string, string | string[], RegExp][] = [
    ['two Authorization headers', [CLI_HEADER, CLI_HEADER], /more than one Authorization/],
    [
      'a header over 4096 characters',
      `${CLI_HEADER}${' '.repeat(MAX_AUTHORIZATION_LENGTH)}`,
      /longer than 4096/,
    ],
    ['another scheme', 'Bearer abc', /only 'AWS4-HMAC-SHA256'/],
    [
      'SigV4a',
      CLI_HEADER.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'),
      /only 'AWS4-HMAC-SHA256'/,
    ],
    ['a lower-case algorithm', CLI_HEADER.replace('AWS4-HMAC-SHA256', 'aws4-hmac-sha256'), /only/],
    ['the algorithm alone', 'AWS4-HMAC-SHA256', /must consist of/],
    ['an unknown parameter', `${CLI_HEADER}, Foo=bar`, /must consist of/],
    [
      'a lower-case parameter name',
      CLI_HEADER.replace('Signature=', 'signature='),
      /must consist of/,
    ],
    ['a parameter without =', CLI_HEADER.replace('Signature=', 'Signature '), /must consist of/],
    ['a trailing comma', `${CLI_HEADER},`, /must consist of/],
    [
      'a repeated parameter',
      `${CLI_HEADER}, Signature=${HEX_SIGNATURE}`,
      /repeats the 'Signature'/,
    ],
    [
      'no Credential',
      `AWS4-HMAC-SHA256 SignedHeaders=host, Signature=${HEX_SIGNATURE}`,
      /requires 'Credential'/,
    ],
    [
      'no SignedHeaders',
      `AWS4-HMAC-SHA256 Credential=A/20261126/us-east-1/ssm/aws4_request, Signature=${HEX_SIGNATURE}`,
      /requires 'SignedHeaders'/,
    ],
    [
      'no Signature',
      'AWS4-HMAC-SHA256 Credential=A/20261126/us-east-1/ssm/aws4_request, SignedHeaders=host',
      /requires 'Signature'/,
    ],
    [
      'a credential with four parts',
      header({ credential: 'A/20261126/us-east-1/ssm' }),
      /must have the form/,
    ],
    [
      'a credential with six parts',
      header({ credential: 'A/B/20261126/us-east-1/ssm/aws4_request' }),
      /must have the form/,
    ],
    [
      'an empty access key id',
      header({ credential: '/20261126/us-east-1/ssm/aws4_request' }),
      /access key id/,
    ],
    [
      'an access key id over 128 characters',
      header({
        credential: `${'A'.repeat(MAX_ACCESS_KEY_ID_LENGTH + 1)}/20261126/us-east-1/ssm/aws4_request`,
      }),
      /1 to 128 visible ASCII/,
    ],
    [
      'a non-ASCII access key id',
      header({ credential: 'AKIDé/20261126/us-east-1/ssm/aws4_request' }),
      /access key id/,
    ],
    [
      'a scope date with dashes',
      header({ credential: 'A/2026-11-26/us-east-1/ssm/aws4_request' }),
      /valid yyyymmdd/,
    ],
    [
      'a scope date that does not exist',
      header({ credential: 'A/20260230/us-east-1/ssm/aws4_request' }),
      /valid yyyymmdd/,
    ],
    ['month 13', header({ credential: 'A/20261326/us-east-1/ssm/aws4_request' }), /valid yyyymmdd/],
    ['an empty region', header({ credential: 'A/20261126//ssm/aws4_request' }), /valid region/],
    [
      'a region with a space',
      header({ credential: 'A/20261126/us east/ssm/aws4_request' }),
      /valid region/,
    ],
    [
      'a region over 64 characters',
      header({ credential: `A/20261126/${'r'.repeat(65)}/ssm/aws4_request` }),
      /valid region/,
    ],
    [
      'an empty service',
      header({ credential: 'A/20261126/us-east-1//aws4_request' }),
      /valid service/,
    ],
    [
      'a service with a dot',
      header({ credential: 'A/20261126/us-east-1/s.sm/aws4_request' }),
      /valid service/,
    ],
    [
      'a wrong terminator',
      header({ credential: 'A/20261126/us-east-1/ssm/aws4_requests' }),
      /terminator: 'aws4_request'/,
    ],
    [
      'signed headers without host',
      header({ signedHeaders: 'content-type;x-amz-date' }),
      /must include 'host'/,
    ],
    [
      'upper-case signed headers',
      header({ signedHeaders: 'Host;x-amz-date' }),
      /lower-case header names/,
    ],
    ['unsorted signed headers', header({ signedHeaders: 'x-amz-date;host' }), /must be sorted/],
    ['a repeated signed header', header({ signedHeaders: 'host;host' }), /must be sorted/],
    [
      'an empty signed header',
      header({ signedHeaders: 'host;;x-amz-date' }),
      /lower-case header names/,
    ],
    ['no signed headers', header({ signedHeaders: '' }), /lower-case header names/],
    [
      'more than 64 signed headers',
      header({
        signedHeaders: [
          'host',
          ...Array.from(
            { length: MAX_SIGNED_HEADERS },
            (_, i) => `x-${String(i).padStart(2, '0')}`,
          ),
        ].join(';'),
      }),
      /more than 64 headers/,
    ],
    ['an empty signature', header({ signature: '' }), /hex or base64/],
    ['a signature with a space', `${CLI_HEADER} 00`, /hex or base64/],
    ['a signature with other characters', header({ signature: 'zz-zz' }), /hex or base64/],
    ['a signature over 1024 characters', header({ signature: 'a'.repeat(1025) }), /hex or base64/],
  ];

  it.each(malformed)('rejects %s as IncompleteSignature', (_name, value, message) => {
    const { code, message: actual } = failure(() => parseAuthorization(value));
    expect(code).toBe('IncompleteSignature');
    expect(actual).toMatch(message);
  });
});

describe('parseAmzDate', () => {
  it('parses the basic ISO 8601 format', () => {
    expect(parseAmzDate('20261126T190407Z')).toEqual({
      text: '20261126T190407Z',
      day: '20261126',
      epochMs: Date.UTC(2026, 10, 26, 19, 4, 7),
    });
    expect(parseAmzDate('20240229T235959Z').epochMs).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
  });

  it('requires the header', () => {
    expect(failure(() => parseAmzDate(undefined))).toEqual({
      code: 'IncompleteSignature',
      message: "Authorization header requires existence of a 'X-Amz-Date' header.",
    });
  });

  it.each([
    ['extended format', '2026-11-26T19:04:07Z'],
    ['no Z', '20261126T190407'],
    ['milliseconds', '20261126T190407.000Z'],
    ['a lower-case t', '20261126t190407Z'],
    ['hour 24', '20261126T240000Z'],
    ['minute 60', '20261126T196000Z'],
    ['second 60', '20261126T190460Z'],
    ['February 29 of a common year', '20250229T000000Z'],
    ['day 0', '20261100T000000Z'],
    ['year 0050', '00501126T000000Z'],
    ['a leading space', ' 20261126T190407Z'],
    ['an HTTP date', 'Thu, 26 Nov 2026 19:04:07 GMT'],
    ['empty', ''],
  ])('rejects %s as IncompleteSignature', (_name, value) => {
    expect(failure(() => parseAmzDate(value)).code).toBe('IncompleteSignature');
  });

  it('rejects two X-Amz-Date headers', () => {
    expect(failure(() => parseAmzDate(['20261126T190407Z', '20261126T190407Z'])).code).toBe(
      'IncompleteSignature',
    );
  });
});
