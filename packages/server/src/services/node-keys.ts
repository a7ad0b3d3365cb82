// Checks the RSA public keys nodes register with: base64 DER SubjectPublicKeyInfo of an RSA key
// of at least 2048 bits, the format amazon-ssm-agent sends (ssm-wire §9.1 step 3).

import { createPublicKey } from 'node:crypto';
import { CodedError } from '@openssm/protocol';

export const MIN_NODE_KEY_BITS = 2048;

export function assertNodePublicKey(base64Spki: string): void {
  let bits: number | undefined;
  let type: string | undefined;
  try {
    const key = createPublicKey({
      key: Buffer.from(base64Spki, 'base64'),
      format: 'der',
      type: 'spki',
    });
    type = key.asymmetricKeyType;
    bits = key.asymmetricKeyDetails?.modulusLength;
  } catch {
    throw new CodedError(
      'ValidationException',
      'PublicKey is not a base64 DER SubjectPublicKeyInfo.',
    );
  }
  if (type !== 'rsa' || bits === undefined || bits < MIN_NODE_KEY_BITS) {
    throw new CodedError(
      'ValidationException',
      `PublicKey must be an RSA key of at least ${MIN_NODE_KEY_BITS} bits.`,
    );
  }
}
