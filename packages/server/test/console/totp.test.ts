// TOTP against RFC 6238's SHA-1 test vectors (their last six digits) and RFC 4648's base32
// vectors; the drift window and malformed codes.

import { describe, expect, it } from 'vitest';
import { encodeBase32, matchTotp, totpCode, totpStep } from '../../src/console/totp.js';

const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('totp', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('gives RFC 6238 code at T=%i', (seconds, code) => {
    expect(totpCode(RFC_SECRET, totpStep(seconds * 1000))).toBe(code);
  });

  it('accepts one step of drift either way, nothing further, and only six digits', () => {
    const now = 1_234_567_890_000;
    const step = totpStep(now);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step), now)).toBe(step);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step + 2), now)).toBeUndefined();
    expect(matchTotp(RFC_SECRET, '12345', now)).toBeUndefined();
    expect(matchTotp(RFC_SECRET, '１２３４５６', now)).toBeUndefined();
  });

  it('encodes base32 as RFC 4648 without padding', () => {
    expect(encodeBase32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(encodeBase32(Buffer.from('f'))).toBe('MY');
    expect(encodeBase32(RFC_SECRET)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });
});
