// verifySigV4 against @smithy/signature-v4 (the AWS SDK's signer): seeded random requests are
// accepted, and each single change to what the signature covers fails with the right code. Then
// the rules one by one: clock skew, scope date, region and service, key states, tokens.

import { createRandom, type Random } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import type { ReceivedRequest } from '../../src/auth/canonical-request.js';
import {
  MAX_CLOCK_SKEW_MS,
  verifySigV4,
  type SigV4VerifierOptions,
} from '../../src/auth/sigv4-verifier.js';
import {
  ACCESS_KEY_ID,
  REGION,
  SECRET,
  accessKey,
  amzDate,
  escapeUri,
  expectCode,
  lookupFrom,
  signWithSmithy,
  type RequestSpec,
  type SigningSpec,
  type TestAccessKey,
} from './helpers.js';

const SEED = 0x5167_0004;
const RANDOM_REQUESTS = 400;
const NOW = Date.UTC(2026, 10, 26, 19, 10, 0);
const SERVICES = ['ssm', 'ssmmessages', 'ec2messages', 'logs'] as const;

type Received = ReceivedRequest & { headers: Record<string, string> };

function options(
  overrides: Partial<SigV4VerifierOptions> = {},
): Omit<SigV4VerifierOptions, 'lookupInstancePublicKey'> {
  return {
    region: REGION,
    services: ['ssm'],
    now: NOW,
    lookupAccessKey: lookupFrom(accessKey()),
    ...overrides,
  };
}

/** A plain CLI-shaped SSM request, signed now. */
function ssmRequest(
  signing: Partial<SigningSpec> = {},
  spec: Partial<RequestSpec> = {},
): Promise<Received> {
  return signWithSmithy(
    {
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.DescribeInstanceInformation',
      },
      body: Buffer.from('{"MaxResults":5}'),
      ...spec,
    },
    { signingDate: new Date(NOW), ...signing },
  );
}

// --- Random requests -------------------------------------------------------------------------

const TEXT_POOL = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~',
  ...' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}',
  'é',
  'ሴ',
  '😀',
];
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-';
const VALUE_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:;/=+,"()';

function text(random: Random, max: number, pool: readonly string[] = TEXT_POOL): string {
  return Array.from({ length: random.int(max + 1) }, () => random.pick(pool)).join('');
}

function randomPath(random: Random): string {
  const segments = Array.from({ length: random.int(5) }, () => {
    const kind = random.int(10);
    if (kind === 0) return random.pick(['.', '..', '']);
    // Characters the SDK leaves literal in paths only where a label is not escaped.
    if (kind === 1) return text(random, 6, [..."abc!$&'()*+,;=:@"]);
    return escapeUri(text(random, 8));
  });
  return `/${segments.join('/')}${random.chance(0.2) ? '/' : ''}`;
}

function randomQuery(random: Random): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (let i = random.int(5); i > 0; i--) {
    const name = text(random, 6) || 'k';
    query[name] = random.chance(0.2)
      ? Array.from({ length: 1 + random.int(3) }, () => text(random, 6))
      : text(random, 10);
  }
  return query;
}

/** Re-encodes a query the ways other clients might: lower-case hex, needlessly escaped letters. */
function reencodeQuery(random: Random, query: string): string {
  return query.replace(/%[0-9A-F]{2}|[A-Za-z~]/g, (token) => {
    if (token.startsWith('%')) return random.chance(0.3) ? token.toLowerCase() : token;
    return random.chance(0.05) ? `%${token.charCodeAt(0).toString(16).toUpperCase()}` : token;
  });
}

function randomHeaders(random: Random): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = random.int(5); i > 0; i--) {
    const value = Array.from({ length: random.int(4) }, () =>
      text(random, 8, [...VALUE_CHARS]),
    ).join(random.pick([' ', '  ', '\t', ' \t ']));
    headers[`x-r${i}-${text(random, 6, [...TOKEN_CHARS])}`] = value;
  }
  if (random.chance(0.5)) headers['content-type'] = 'application/x-amz-json-1.1';
  if (random.chance(0.5)) headers['x-amz-target'] = 'AmazonSSM.SendCommand';
  return headers;
}

interface RandomCase {
  readonly request: Received;
  readonly key: TestAccessKey;
  readonly service: string;
  readonly signedHeaders: readonly string[];
}

async function randomCase(random: Random, index: number): Promise<RandomCase> {
  const service = random.pick(SERVICES);
  const sessionToken = random.chance(0.3)
    ? `token-${index}-${text(random, 20, [...VALUE_CHARS])}`
    : undefined;
  const key = accessKey({
    accessKeyId: `AKIA${String(index).padStart(16, '0')}`,
    secretAccessKey: Buffer.from(random.bytes(30)).toString('base64'),
    sessionToken: sessionToken ?? null,
    expiresAt: sessionToken === undefined ? null : NOW + 3_600_000,
  });
  const body = random.chance(0.2) ? new Uint8Array(0) : random.bytes(random.int(2048));
  const signed = await signWithSmithy(
    {
      method: random.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']),
      path: randomPath(random),
      query: randomQuery(random),
      headers: randomHeaders(random),
      body,
      hostname: random.pick(['127.0.0.1', 'ssm.example.test', 'localhost']),
      port: random.pick([443, 8443, 18555]),
    },
    {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      ...(sessionToken === undefined ? {} : { sessionToken }),
      service,
      signingDate: new Date(NOW + (random.int(20 * 60) - 10 * 60) * 1000),
      applyChecksum: random.chance(0.5),
    },
  );
  const signedHeaders =
    /SignedHeaders=([^,]+)/.exec(signed.headers['authorization'] ?? '')?.[1]?.split(';') ?? [];
  // Headers a proxy or the HTTP stack adds after signing; the verifier must ignore them.
  const request: Received = {
    ...signed,
    query: reencodeQuery(random, signed.query),
    headers: {
      ...signed.headers,
      'user-agent': 'aws-sdk-js/3 random',
      'x-forwarded-for': '10.0.0.1',
      connection: 'keep-alive',
    },
  };
  return { request, key, service, signedHeaders };
}

function verifyCase(
  test: RandomCase,
  request: ReceivedRequest = test.request,
  overrides: Partial<SigV4VerifierOptions> = {},
) {
  return verifySigV4(
    request,
    options({ services: [test.service], lookupAccessKey: lookupFrom(test.key), ...overrides }),
  );
}

function withHeaders(request: Received, headers: Record<string, string>): Received {
  return { ...request, headers: { ...request.headers, ...headers } };
}

function withoutHeader(request: Received, name: string): Received {
  return {
    ...request,
    headers: Object.fromEntries(Object.entries(request.headers).filter(([key]) => key !== name)),
  };
}

/** Replaces one non-space character of `value` with a different one. */
function changeOneCharacter(random: Random, value: string): string {
  const positions = [...value].flatMap((c, i) => (c === ' ' || c === '\t' ? [] : [i]));
  if (positions.length === 0) return `${value}x`;
  const at = random.pick(positions);
  const replacement = value[at] === 'x' ? 'y' : 'x';
  return `${value.slice(0, at)}${replacement}${value.slice(at + 1)}`;
}

describe('verifySigV4 on requests signed by @smithy/signature-v4', () => {
  it(`accepts ${RANDOM_REQUESTS} random requests (seed ${SEED.toString(16)})`, async () => {
    const random = createRandom(SEED);
    for (let i = 0; i < RANDOM_REQUESTS; i++) {
      const test = await randomCase(random, i);
      const verified = await verifyCase(test).catch((error: unknown) => {
        throw new Error(`case ${i} rejected: ${String(error)}\n${JSON.stringify(test.request)}`);
      });
      expect(verified).toEqual({
        principal: test.key.principal,
        accessKeyId: test.key.accessKeyId,
        signedHeaders: test.signedHeaders,
        scope: {
          date: test.request.headers['x-amz-date']?.slice(0, 8),
          region: REGION,
          service: test.service,
        },
      });
    }
  });

  it('rejects every single change to what the signature covers, with the right code', async () => {
    const random = createRandom(SEED + 1);
    for (let i = 0; i < RANDOM_REQUESTS / 4; i++) {
      const test = await randomCase(random, i);
      const { request } = test;
      const why = `case ${i}`;

      // Body: one byte flipped, or one byte added to an empty body.
      const body = Buffer.from(request.body.length === 0 ? [0x7b] : request.body);
      if (request.body.length > 0) {
        const at = random.int(body.length);
        body[at] = (body[at] ?? 0) ^ (1 << random.int(8));
      }
      await expectCode(verifyCase(test, { ...request, body }), 'InvalidSignatureException');

      // One character of one signed header (host, x-amz-date and the token included).
      const signedName = random.pick(test.signedHeaders.filter((name) => name !== 'x-amz-date'));
      const changed = withHeaders(request, {
        [signedName]: changeOneCharacter(random, request.headers[signedName] ?? ''),
      });
      await expectCode(verifyCase(test, changed), 'InvalidSignatureException');

      // The path, the query, the method.
      await expectCode(
        verifyCase(test, { ...request, path: `${request.path}/zz` }),
        'InvalidSignatureException',
      );
      const query = request.query === '' ? 'zz=1' : `${request.query}&zz=1`;
      await expectCode(verifyCase(test, { ...request, query }), 'InvalidSignatureException');
      const method = request.method === 'POST' ? 'PUT' : 'POST';
      await expectCode(verifyCase(test, { ...request, method }), 'InvalidSignatureException');

      // The time, one second either way (the same day, or a scope that no longer matches).
      const date = request.headers['x-amz-date'] ?? '';
      const ms = Date.UTC(
        +date.slice(0, 4),
        +date.slice(4, 6) - 1,
        +date.slice(6, 8),
        +date.slice(9, 11),
        +date.slice(11, 13),
        +date.slice(13, 15),
      );
      const shifted = withHeaders(request, {
        'x-amz-date': amzDate(ms + random.pick([-1000, 1000])),
      });
      await expectCode(verifyCase(test, shifted), 'InvalidSignatureException');

      // The region and service the server serves; the secret it holds.
      await expectCode(verifyCase(test, request, { region: 'eu-west-1' }), 'WrongSigningRegion');
      await expectCode(verifyCase(test, request, { services: ['sts'] }), 'WrongSigningRegion');
      const otherSecret = accessKey({
        ...test.key,
        secretAccessKey: `${test.key.secretAccessKey.slice(1)}A`,
      });
      await expectCode(
        verifyCase(test, request, { lookupAccessKey: lookupFrom(otherSecret) }),
        'InvalidSignatureException',
      );

      // Headers outside SignedHeaders are free to change.
      const unsigned = withHeaders(request, {
        'user-agent': 'changed',
        'x-forwarded-for': '10.9.9.9',
      });
      await expect(verifyCase(test, unsigned), why).resolves.toMatchObject({
        accessKeyId: test.key.accessKeyId,
      });
    }
  });
});

describe('verifySigV4 rules', () => {
  it('returns the principal, key id, signed headers and scope', async () => {
    await expect(verifySigV4(await ssmRequest(), options())).resolves.toEqual({
      principal: accessKey().principal,
      accessKeyId: ACCESS_KEY_ID,
      signedHeaders: ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-target'],
      scope: { date: '20261126', region: REGION, service: 'ssm' },
    });
  });

  it('hashes the body itself and never trusts x-amz-content-sha256', async () => {
    // The header is signed and unchanged; only the body is replaced.
    const request = await ssmRequest();
    await expectCode(
      verifySigV4({ ...request, body: Buffer.from('{"MaxResults":50}') }, options()),
      'InvalidSignatureException',
    );
    // A client that signs UNSIGNED-PAYLOAD (S3 style) is not accepted either.
    const unsignedPayload = await ssmRequest(
      {},
      {
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonSSM.DescribeInstanceInformation',
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        },
      },
    );
    await expectCode(verifySigV4(unsignedPayload, options()), 'InvalidSignatureException');
  });

  describe('clock skew', () => {
    const minutesSeconds = (m: number, s: number): number => (m * 60 + s) * 1000;

    it('accepts a request up to 15 minutes old or early, inclusive', async () => {
      const request = await ssmRequest();
      for (const skew of [
        minutesSeconds(14, 59),
        MAX_CLOCK_SKEW_MS,
        -minutesSeconds(14, 59),
        -MAX_CLOCK_SKEW_MS,
      ]) {
        await expect(verifySigV4(request, options({ now: NOW + skew }))).resolves.toBeDefined();
      }
    });

    it('rejects a request signed more than 15 minutes ago', async () => {
      const request = await ssmRequest({ signingDate: new Date(Date.UTC(2026, 10, 26, 19, 4, 7)) });
      const now = Date.UTC(2026, 10, 26, 19, 19, 8);
      expect(await expectCode(verifySigV4(request, options({ now })), 'SignatureExpired')).toBe(
        'Signature expired: 20261126T190407Z is now earlier than 20261126T190408Z ' +
          '(20261126T191908Z - 15 min.)',
      );
      const late = await ssmRequest();
      await expectCode(
        verifySigV4(late, options({ now: NOW + minutesSeconds(15, 1) })),
        'SignatureExpired',
      );
    });

    it('rejects a request signed more than 15 minutes in the future', async () => {
      const request = await ssmRequest({
        signingDate: new Date(Date.UTC(2026, 10, 26, 19, 30, 0)),
      });
      const now = Date.UTC(2026, 10, 26, 19, 14, 59, 999);
      expect(await expectCode(verifySigV4(request, options({ now })), 'SignatureExpired')).toBe(
        'Signature not yet current: 20261126T193000Z is still later than 20261126T192959Z ' +
          '(20261126T191459Z + 15 min.)',
      );
      const early = await ssmRequest();
      await expectCode(
        verifySigV4(early, options({ now: NOW - minutesSeconds(15, 1) })),
        'SignatureExpired',
      );
    });
  });

  it('rejects a credential scope whose date is not the X-Amz-Date day', async () => {
    const request = await ssmRequest();
    const nextDay = withHeaders(request, { 'x-amz-date': '20261127T001000Z' });
    expect(
      await expectCode(
        verifySigV4(nextDay, options({ now: Date.UTC(2026, 10, 27, 0, 10) })),
        'InvalidSignatureException',
      ),
    ).toBe(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261126' != '20261127', from '20261127T001000Z'.",
    );
  });

  it('rejects a request signed for another region or service', async () => {
    const otherRegion = await ssmRequest({ region: 'eu-west-1' });
    expect(await expectCode(verifySigV4(otherRegion, options()), 'WrongSigningRegion')).toBe(
      "Credential should be scoped to a valid region, not 'eu-west-1'. This endpoint serves 'us-east-1'.",
    );
    const otherService = await ssmRequest({ service: 'ec2' });
    expect(await expectCode(verifySigV4(otherService, options()), 'WrongSigningRegion')).toBe(
      "Credential should be scoped to a valid service, not 'ec2'. This request must be signed for 'ssm'.",
    );
    expect(
      await expectCode(
        verifySigV4(otherService, options({ services: ['ssm', 'ssmmessages'] })),
        'WrongSigningRegion',
      ),
    ).toMatch(/signed for 'ssm' or 'ssmmessages'\.$/);
  });

  it('rejects a missing or malformed Authorization header', async () => {
    const request = await ssmRequest();
    expect(
      await expectCode(
        verifySigV4(withoutHeader(request, 'authorization'), options()),
        'MissingAuthenticationToken',
      ),
    ).toBe('Missing Authentication Token');
    const authorization = request.headers['authorization'] ?? '';
    const malformed = authorization.replace(', SignedHeaders', ' SignedHeaders');
    await expectCode(
      verifySigV4(withHeaders(request, { authorization: malformed }), options()),
      'IncompleteSignature',
    );
    await expectCode(
      verifySigV4(withoutHeader(request, 'x-amz-date'), options()),
      'IncompleteSignature',
    );
  });

  it('rejects a request that lacks a header it claims to have signed', async () => {
    const request = await ssmRequest();
    expect(
      await expectCode(
        verifySigV4(withoutHeader(request, 'x-amz-target'), options()),
        'IncompleteSignature',
      ),
    ).toBe("Signed header 'x-amz-target' is missing from the request.");
  });

  describe('access keys', () => {
    const invalidToken = 'The security token included in the request is invalid.';

    it('rejects an unknown key', async () => {
      const request = await ssmRequest({ accessKeyId: 'AKIAUNKNOWN000000000' });
      expect(await expectCode(verifySigV4(request, options()), 'UnrecognizedClientException')).toBe(
        invalidToken,
      );
    });

    it('rejects an inactive key, even with a correct signature', async () => {
      const lookupAccessKey = lookupFrom(accessKey({ active: false }));
      expect(
        await expectCode(
          verifySigV4(await ssmRequest(), options({ lookupAccessKey })),
          'UnrecognizedClientException',
        ),
      ).toBe(invalidToken);
    });

    it('does not let a store that ignores case stand in one key id for another', async () => {
      const lookupAccessKey = (): Promise<TestAccessKey> =>
        Promise.resolve(accessKey({ accessKeyId: ACCESS_KEY_ID.toLowerCase() }));
      await expectCode(
        verifySigV4(await ssmRequest(), options({ lookupAccessKey })),
        'UnrecognizedClientException',
      );
    });

    it('rejects a wrong secret with AWS’s message', async () => {
      const request = await ssmRequest({ secretAccessKey: `${SECRET}x` });
      expect(await expectCode(verifySigV4(request, options()), 'InvalidSignatureException')).toBe(
        'The request signature we calculated does not match the signature you provided. ' +
          'Check your AWS Secret Access Key and signing method.',
      );
    });

    it('rejects a long-term key presented with a session token', async () => {
      const request = await ssmRequest({ sessionToken: 'stray-token' });
      await expectCode(verifySigV4(request, options()), 'UnrecognizedClientException');
    });

    describe('temporary keys', () => {
      const temporary = accessKey({ sessionToken: 'the-token', expiresAt: NOW + 60_000 });
      const lookupAccessKey = lookupFrom(temporary);

      it('accept the matching token', async () => {
        const request = await ssmRequest({ sessionToken: 'the-token' });
        await expect(verifySigV4(request, options({ lookupAccessKey }))).resolves.toMatchObject({
          signedHeaders: expect.arrayContaining(['x-amz-security-token']) as unknown,
        });
      });

      // A wrong or missing token is UnrecognizedClientException, as AWS answers for a bad token:
      // the signature (which covers the token) is right, the credential set is not.
      it('reject a wrong or missing token as UnrecognizedClientException', async () => {
        const wrong = await ssmRequest({ sessionToken: 'another-token' });
        expect(
          await expectCode(
            verifySigV4(wrong, options({ lookupAccessKey })),
            'UnrecognizedClientException',
          ),
        ).toBe(invalidToken);
        const missing = await ssmRequest();
        await expectCode(
          verifySigV4(missing, options({ lookupAccessKey })),
          'UnrecognizedClientException',
        );
      });

      it('reject a token changed after signing as InvalidSignatureException', async () => {
        const request = await ssmRequest({ sessionToken: 'the-token' });
        const changed = withHeaders(request, { 'x-amz-security-token': 'the-tokeN' });
        await expectCode(
          verifySigV4(changed, options({ lookupAccessKey })),
          'InvalidSignatureException',
        );
      });

      it('reject an expired key as ExpiredTokenException', async () => {
        const request = await ssmRequest({ sessionToken: 'the-token' });
        for (const expiresAt of [NOW, NOW - 1]) {
          const expired = lookupFrom({ ...temporary, expiresAt });
          expect(
            await expectCode(
              verifySigV4(request, options({ lookupAccessKey: expired })),
              'ExpiredTokenException',
            ),
          ).toBe('The security token included in the request is expired');
        }
      });

      // Expiry is only reported to a caller who proved it holds the secret.
      it('report a bad signature on an expired key as InvalidSignatureException', async () => {
        const request = await ssmRequest({ sessionToken: 'the-token', secretAccessKey: 'guess' });
        const expired = lookupFrom({ ...temporary, expiresAt: NOW - 1 });
        await expectCode(
          verifySigV4(request, options({ lookupAccessKey: expired })),
          'InvalidSignatureException',
        );
      });
    });

    it('rejects a long-term key past its expiry as ExpiredTokenException', async () => {
      const lookupAccessKey = lookupFrom(accessKey({ expiresAt: NOW - 1 }));
      await expectCode(
        verifySigV4(await ssmRequest(), options({ lookupAccessKey })),
        'ExpiredTokenException',
      );
    });
  });

  it('checks the cheap things before looking the key up', async () => {
    let lookups = 0;
    const lookupAccessKey = (): Promise<undefined> => {
      lookups++;
      return Promise.resolve(undefined);
    };
    const request = await ssmRequest({ region: 'eu-west-1' });
    await expectCode(verifySigV4(request, options({ lookupAccessKey })), 'WrongSigningRegion');
    await expectCode(
      verifySigV4(await ssmRequest(), options({ lookupAccessKey, now: NOW + 3_600_000 })),
      'SignatureExpired',
    );
    expect(lookups).toBe(0);
  });
});
