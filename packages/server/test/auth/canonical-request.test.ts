// The canonical-request builder against known answers: AWS's SigV4 test suite (example
// credentials, 2015-08-30) verified end to end, and the path, query and header rules case by case.

import { describe, expect, it } from 'vitest';
import {
  canonicalHeaderValue,
  canonicalQueryString,
  canonicalUri,
  createCanonicalRequest,
  type ReceivedRequest,
} from '../../src/auth/canonical-request.js';
import { verifySigV4 } from '../../src/auth/sigv4-verifier.js';
import { accessKey, expectCode, lookupFrom } from './helpers.js';

// The AWS Signature Version 4 test suite ("aws-sig-v4-test-suite", also in smithy-typescript's
// packages/signature-v4/src/suite.fixture.ts): host example.amazonaws.com, region us-east-1,
// service "service", 2015-08-30T12:36:00Z.
const SUITE_KEY = accessKey({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
});
const SUITE_NOW = Date.UTC(2015, 7, 30, 12, 36, 0);
const SUITE_TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIe' +
  'oIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5' +
  'VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Y' +
  'jc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';
const UNRESERVED = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface SuiteCase {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly query?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string;
  readonly signature: string;
}

const SUITE: SuiteCase[] = [
  {
    name: 'get-vanilla',
    signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  {
    name: 'get-vanilla-empty-query-key',
    query: 'Param1=value1',
    signature: 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb',
  },
  {
    name: 'get-vanilla-query-order-key-case',
    query: 'Param2=value2&Param1=value1',
    signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  {
    name: 'get-vanilla-query-unreserved',
    query: `${UNRESERVED}=${UNRESERVED}`,
    signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
  },
  {
    name: 'get-vanilla-utf8-query (raw)',
    query: 'ሴ=bar',
    signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-vanilla-utf8-query (encoded as on the wire)',
    query: '%E1%88%B4=bar',
    signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-unreserved',
    path: `/${UNRESERVED}`,
    signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  {
    // The suite's path is the raw character; a client would send it encoded and sign it twice.
    name: 'get-utf8',
    path: '/ሴ',
    signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85',
  },
  {
    name: 'get-header-key-duplicate',
    headers: { 'my-header1': ['value2', 'value2', 'value1'] },
    signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  },
  {
    name: 'get-header-value-order',
    headers: { 'my-header1': ['value4', 'value1', 'value3', 'value2'] },
    signature: '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01',
  },
  {
    name: 'get-header-value-trim',
    headers: { 'my-header1': ' value1', 'my-header2': ' "a   b   c"' },
    signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'post-vanilla',
    method: 'POST',
    signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
  },
  {
    name: 'post-header-value-case',
    method: 'POST',
    headers: { 'my-header1': 'VALUE1' },
    signature: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d',
  },
  {
    name: 'post-vanilla-query',
    method: 'POST',
    query: 'Param1=value1',
    signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11',
  },
  {
    name: 'post-vanilla-query-nonunreserved',
    method: 'POST',
    query: '%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D',
    signature: '66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e',
  },
  {
    name: 'post-vanilla-query-space (value-less key)',
    method: 'POST',
    query: 'p',
    signature: 'e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b',
  },
  {
    name: 'post-sts-header-before',
    method: 'POST',
    headers: { 'x-amz-security-token': SUITE_TOKEN },
    signature: '85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
  },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Param1=value1',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'post-x-www-form-urlencoded-parameters',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf8' },
    body: 'Param1=value1',
    signature: '1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe',
  },
];

function suiteRequest(test: SuiteCase, signature = test.signature): ReceivedRequest {
  const headers: Record<string, string | string[]> = {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    ...test.headers,
  };
  const signedHeaders = Object.keys(headers).sort().join(';');
  headers['authorization'] =
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return {
    method: test.method ?? 'GET',
    path: test.path ?? '/',
    query: test.query ?? '',
    headers,
    body: Buffer.from(test.body ?? '', 'utf8'),
  };
}

function suiteKey(test: SuiteCase): typeof SUITE_KEY {
  const token = test.headers?.['x-amz-security-token'];
  return typeof token === 'string' ? accessKey({ ...SUITE_KEY, sessionToken: token }) : SUITE_KEY;
}

describe('AWS SigV4 test suite', () => {
  it.each(SUITE)('$name verifies', async (test) => {
    const verified = await verifySigV4(suiteRequest(test), {
      region: 'us-east-1',
      services: ['service'],
      now: SUITE_NOW,
      lookupAccessKey: lookupFrom(suiteKey(test)),
    });
    expect(verified.accessKeyId).toBe('AKIDEXAMPLE');
  });

  it.each(SUITE)('$name fails with one signature digit changed', async (test) => {
    const last = test.signature.at(-1) === '0' ? '1' : '0';
    const request = suiteRequest(test, `${test.signature.slice(0, -1)}${last}`);
    await expectCode(
      verifySigV4(request, {
        region: 'us-east-1',
        services: ['service'],
        now: SUITE_NOW,
        lookupAccessKey: lookupFrom(suiteKey(test)),
      }),
      'InvalidSignatureException',
    );
  });
});

describe('canonicalUri', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['//', '/'],
    ['/a/b', '/a/b'],
    ['/a/b/', '/a/b/'],
    ['/a//b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/../..', '/'],
    ['/a/b/..', '/a'],
    // The wire path is encoded again: '%' becomes '%25' (every non-S3 client does this).
    ['/a%20b', '/a%2520b'],
    ['/%E1%88%B4', '/%25E1%2588%25B4'],
    ["/!$&'()*+,;=:@", '/%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40'],
    ['/~user/-._', '/~user/-._'],
    ['/é', '/%C3%A9'],
  ])('%j → %j', (raw, canonical) => {
    expect(canonicalUri(raw)).toBe(canonical);
  });
});

describe('canonicalQueryString', () => {
  it.each([
    ['', ''],
    ['a=1', 'a=1'],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=2&a=1&a=10', 'a=1&a=10&a=2'],
    // Sorted by name first: 'a' < 'a-b' although 'a=' > 'a-' as strings.
    ['a-b=1&a=2', 'a=2&a-b=1'],
    ['flag', 'flag='],
    ['flag=', 'flag='],
    ['a=1&&b=2&', 'a=1&b=2'],
    ['k=%7e&l=~&m=%7E', 'k=~&l=~&m=~'],
    ['k=%41%2f', 'k=A%2F'],
    // botocore's urlencode() writes a space as '+' and signs it as '%20'.
    ['k=a+b&c+d=1', 'c%20d=1&k=a%20b'],
    ['k=a%2Bb', 'k=a%2Bb'],
    ['k=a%20b', 'k=a%20b'],
    ['k=100%', 'k=100%25'],
    ['k=%zz%4', 'k=%25zz%254'],
    ['k=%FF%FE', 'k=%FF%FE'],
    ['k=a=b', 'k=a%3Db'],
    ['Z=1&a=1', 'Z=1&a=1'],
  ])('%j → %j', (raw, canonical) => {
    expect(canonicalQueryString(raw)).toBe(canonical);
  });
});

describe('canonicalHeaderValue', () => {
  it.each([
    ['value', 'value'],
    ['  padded  ', 'padded'],
    ['a   b\t\tc', 'a b c'],
    [['one', ' two '], 'one,two'],
    ['', ''],
  ] as [string | string[], string][])('%j → %j', (value, canonical) => {
    expect(canonicalHeaderValue(value)).toBe(canonical);
  });
});

describe('createCanonicalRequest', () => {
  it('lays out the six lines SigV4 specifies', () => {
    const request: ReceivedRequest = {
      method: 'POST',
      path: '/',
      query: '',
      headers: {
        host: '127.0.0.1:8080',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-date': '20261126T190407Z',
        'user-agent': 'not signed',
      },
      body: Buffer.from('{}'),
    };
    expect(createCanonicalRequest(request, ['content-type', 'host', 'x-amz-date'], 'HASH')).toBe(
      'POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:127.0.0.1:8080\n' +
        'x-amz-date:20261126T190407Z\n\ncontent-type;host;x-amz-date\nHASH',
    );
  });

  it('rejects a signed header the request does not carry', () => {
    const request: ReceivedRequest = {
      method: 'GET',
      path: '/',
      query: '',
      headers: {},
      body: Buffer.alloc(0),
    };
    expect(() => createCanonicalRequest(request, ['host'], 'HASH')).toThrow(
      "Signed header 'host' is missing from the request.",
    );
  });
});
