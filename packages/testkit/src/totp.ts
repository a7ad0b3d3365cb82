// An authenticator app for tests: RFC 6238 codes (SHA-1, 30 s, 6 digits) from a base32 secret,
// written independently of the server's implementation.

import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function authenticatorCode(secretBase32: string, step: number): string {
  let bits = '';
  for (const char of secretBase32) bits += ALPHABET.indexOf(char).toString(2).padStart(5, '0');
  const whole = bits.slice(0, bits.length - (bits.length % 8));
  const key = Buffer.from((whole.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[19]! & 15;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The current 30-second step. */
export function authenticatorStep(nowMs = Date.now()): number {
  return Math.floor(nowMs / 30_000);
}
