// verifyRsaSigV4: the managed-instance variant (ssm-wire §9.3) signed the way the agent signs —
// SigV4 string to sign, RSA-PSS SHA-256 with salt 32, base64 — with keys generated per run.

import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CodedError } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  verifyRsaSigV4,
  verifySigV4,
  type SigV4VerifierOptions,
} from '../../src/auth/sigv4-verifier.js';
import { REGION, accessKey, expectCode, lookupFrom, signRsa, type RequestSpec } from './helpers.js';

const INSTANCE_ID = 'mi-0123456789abcdef0';
const NOW = Date.UTC(2026, 10, 26, 19, 10, 0);

function keyPair(): { privateKey: KeyObject; publicKeyBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // What the agent registers: base64 DER SubjectPublicKeyInfo (392 characters for RSA-2048).
  const publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey, publicKeyBase64 };
}

const node = keyPair();
const other = keyPair();

// RequestManagedInstanceRoleToken as the agent's Go SDK sends it.
const ROLE_TOKEN_REQUEST: RequestSpec = {
  method: 'POST',
  path: '/',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AmazonSSM.RequestManagedInstanceRoleToken',
    'content-length': '56',
  },
  body: Buffer.from('{"Fingerprint":"11111111-2222-4333-8444-555555555555"}'),
};

function options(
  publicKeys: Record<string, string> = { [INSTANCE_ID]: node.publicKeyBase64 },
  overrides: Partial<SigV4VerifierOptions> = {},
): Omit<SigV4VerifierOptions, 'lookupAccessKey'> {
  return {
    region: REGION,
    services: ['ssm'],
    now: NOW,
    lookupInstancePublicKey: (instanceId) => Promise.resolve(publicKeys[instanceId]),
    ...overrides,
  };
}

function signed(privateKey = node.privateKey, instanceId = INSTANCE_ID, spec = ROLE_TOKEN_REQUEST) {
  return signRsa(spec, { instanceId, privateKey, signingDate: new Date(NOW) });
}

function withSignature(request: Awaited<ReturnType<typeof signed>>, signature: string) {
  const authorization = (request.headers['authorization'] ?? '').replace(
    /Signature=.*$/,
    `Signature=${signature}`,
  );
  return { ...request, headers: { ...request.headers, authorization } };
}

describe('verifyRsaSigV4', () => {
  it('accepts a request signed with the registered key', async () => {
    const request = await signed();
    expect(request.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=mi-0123456789abcdef0\/20261126\/us-east-1\/ssm\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=[A-Za-z0-9+/]{342}==$/,
    );
    await expect(verifyRsaSigV4(request, options())).resolves.toEqual({
      instanceId: INSTANCE_ID,
      signedHeaders: ['content-length', 'content-type', 'host', 'x-amz-date', 'x-amz-target'],
      scope: { date: '20261126', region: REGION, service: 'ssm' },
    });
  });

  it('rejects a signature made with another key', async () => {
    await expectCode(
      verifyRsaSigV4(await signed(other.privateKey), options()),
      'InvalidSignatureException',
    );
  });

  it('rejects a modified body, signed header or path', async () => {
    const request = await signed();
    const body = Buffer.from(request.body);
    body[5] = (body[5] ?? 0) ^ 1;
    await expectCode(verifyRsaSigV4({ ...request, body }, options()), 'InvalidSignatureException');
    const headers = {
      ...request.headers,
      'x-amz-target': 'AmazonSSM.UpdateManagedInstancePublicKey',
    };
    await expectCode(
      verifyRsaSigV4({ ...request, headers }, options()),
      'InvalidSignatureException',
    );
    await expectCode(
      verifyRsaSigV4({ ...request, path: '/x' }, options()),
      'InvalidSignatureException',
    );
  });

  it('requires PSS with a 32-byte salt over SHA-256', async () => {
    const key = node.privateKey;
    const variants: [string, (data: Buffer) => Buffer][] = [
      [
        'salt 20',
        (data) =>
          sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }),
      ],
      [
        'PKCS#1 v1.5',
        (data) => sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }),
      ],
      [
        'SHA-1',
        (data) =>
          sign('sha1', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
      ],
    ];
    for (const [name, signString] of variants) {
      const request = await signRsa(ROLE_TOKEN_REQUEST, {
        instanceId: INSTANCE_ID,
        privateKey: key,
        signingDate: new Date(NOW),
        signString,
      });
      await expect(verifyRsaSigV4(request, options()), name).rejects.toMatchObject({
        code: 'InvalidSignatureException',
      });
    }
  });

  it('rejects signatures that are not base64 of a modulus-sized value', async () => {
    const request = await signed();
    const valid = /Signature=(.*)$/.exec(request.headers['authorization'] ?? '')?.[1] ?? '';
    for (const signature of [
      valid.replace(/==$/, ''), // unpadded: not what Go's StdEncoding writes
      'a'.repeat(64), // an HMAC hex signature
      Buffer.alloc(512, 0xff).toString('base64'), // longer than the modulus
      Buffer.alloc(256, 0xff).toString('base64'), // modulus-sized but larger than n
      'AAAA',
    ]) {
      await expectCode(
        verifyRsaSigV4(withSignature(request, signature), options()),
        'InvalidSignatureException',
      );
    }
  });

  it('rejects an unknown instance, and an access key id that is not an instance id', async () => {
    const message = 'The security token included in the request is invalid.';
    const unknown = await signed(node.privateKey, 'mi-00000000000000000');
    expect(
      await expectCode(verifyRsaSigV4(unknown, options()), 'UnrecognizedClientException'),
    ).toBe(message);

    let lookups = 0;
    const counting = options(
      {},
      {
        lookupInstancePublicKey: () => {
          lookups++;
          return Promise.resolve(node.publicKeyBase64);
        },
      },
    );
    for (const id of [
      'AKIAOPENSSMTEST00001',
      'mi-0123456789ABCDEF0',
      'i-0123456789abcdef0',
      'mi-0123456789abcdef',
    ]) {
      await expectCode(
        verifyRsaSigV4(await signed(node.privateKey, id), counting),
        'UnrecognizedClientException',
      );
    }
    expect(lookups).toBe(0);
  });

  it('applies the same date, region and service checks as HMAC SigV4', async () => {
    const request = await signed();
    await expectCode(
      verifyRsaSigV4(request, options(undefined, { now: NOW + 16 * 60_000 })),
      'SignatureExpired',
    );
    await expectCode(
      verifyRsaSigV4(request, options(undefined, { region: 'eu-west-1' })),
      'WrongSigningRegion',
    );
    await expectCode(
      verifyRsaSigV4(request, options(undefined, { services: ['ssmmessages'] })),
      'WrongSigningRegion',
    );
  });

  it('is not accepted by the HMAC verifier, and an HMAC request is not accepted here', async () => {
    const rsa = await signed();
    await expectCode(
      verifySigV4(rsa, { ...options(), lookupAccessKey: lookupFrom(accessKey()) }),
      'UnrecognizedClientException',
    );
    // An instance id used as an access key with an HMAC signature fails the RSA check.
    const hmac = withSignature(rsa, 'ab'.repeat(32));
    await expectCode(verifyRsaSigV4(hmac, options()), 'InvalidSignatureException');
  });

  it('fails loudly on a stored key that is corrupt or not RSA (a server fault, not the client’s)', async () => {
    const request = await signed();
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    for (const stored of [
      'bm90IGEga2V5',
      ec.export({ type: 'spki', format: 'der' }).toString('base64'),
      ed.export({ type: 'spki', format: 'der' }).toString('base64'),
    ]) {
      const error: unknown = await verifyRsaSigV4(
        request,
        options({ [INSTANCE_ID]: stored }),
      ).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(CodedError);
    }
  });
});
