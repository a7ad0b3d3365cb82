// Console passwords, hashed with scrypt (N=2^15, r=8, p=1, a 16-byte salt, 32-byte key) and
// stored self-describing (`scrypt$N$r$p$salt$hash`), so the cost can rise later while old
// hashes still verify. Verification compares in constant time.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const COST = 32768;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
/** scrypt needs 128 × N × r bytes; give it room above Node's 32 MiB default. */
const MAX_MEMORY = 128 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEMORY }, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST, BLOCK_SIZE, PARALLELISM);
  return [
    'scrypt',
    COST,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(
    password,
    Buffer.from(salt, 'base64'),
    Number(n),
    Number(r),
    Number(p),
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fixed salt for checks that have no stored hash to compare with (see below). */
const NO_USER_SALT = Buffer.alloc(16);

/**
 * Spends what verifying `password` against a stored hash costs, and answers false: a sign-in
 * for a user that does not exist (or has no password) must take as long as a wrong password,
 * or the response time tells which user names exist.
 */
export async function rejectWithoutHash(password: string): Promise<false> {
  await derive(password, NO_USER_SALT, COST, BLOCK_SIZE, PARALLELISM);
  return false;
}
