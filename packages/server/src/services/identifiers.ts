// Random identifiers and secrets in the formats AWS clients expect, from the CSPRNG.

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(alphabet: string, length: number): string {
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** The unique ids IAM gives its entities: a 4-letter prefix and 17 characters, 21 in all. */
export type IamIdPrefix = 'AIDA' | 'AGPA' | 'AROA' | 'ANPA';

export function newIamId(prefix: IamIdPrefix): string {
  return prefix + randomFrom(BASE32, 17);
}

/** `AKIA…` for long-term keys, `ASIA…` for temporary ones: 20 characters, like AWS's. */
export function newAccessKeyId(temporary: boolean): string {
  return (temporary ? 'ASIA' : 'AKIA') + randomFrom(BASE32, 16);
}

/** 40 characters, the length and alphabet of an AWS secret access key. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

export function newSessionToken(): string {
  return randomBytes(96).toString('base64');
}

/** 20 characters like AWS's activation codes. */
export function newActivationCode(): string {
  return randomFrom(ALPHANUMERIC, 20);
}

export function newActivationId(): string {
  return randomUUID();
}

/** `mi-` + 17 hex characters (ssm-wire §9.4). */
export function newManagedInstanceId(): string {
  return `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time comparison of two hex digests (or any strings of equal expected length). */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
