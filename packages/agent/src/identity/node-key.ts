// The node's RSA key (ssm-wire §9.1 step 3): RSA-2048 generated with node:crypto, the public half
// sent as base64 DER SubjectPublicKeyInfo (392 characters), the private half kept as PEM.

import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

/** AWS's agent and our server both use (and require at least) 2048 bits. */
export const NODE_KEY_BITS = 2048;

export async function generateNodeKey(): Promise<KeyObject> {
  const { privateKey } = await generate('rsa', { modulusLength: NODE_KEY_BITS });
  return privateKey;
}

/** base64 DER SPKI: the `PublicKey` / `NewPublicKey` the SSM API takes. */
export function encodePublicKeyForApi(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
}

/** PKCS#8 PEM for private-key.pem. */
export function encodePrivateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Reads a PKCS#8 or PKCS#1 PEM RSA key of at least 2048 bits; throws a plain Error otherwise. */
export function parsePrivateKeyPem(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < NODE_KEY_BITS) {
    throw new Error(`expected an RSA key of at least ${NODE_KEY_BITS} bits`);
  }
  return key;
}
