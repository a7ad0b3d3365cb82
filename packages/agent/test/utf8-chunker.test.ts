// The UTF-8 cutting rules against vectors built with TextEncoder and checked with a strict
// TextDecoder (independent of the code under test), at every cut position.

import { describe, expect, it } from 'vitest';
import { incompleteUtf8TailLength, splitAtUtf8Boundary, Utf8Carry } from '../src/session/index.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const isValid = (bytes: Uint8Array): boolean => {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
};
/** 1-, 2-, 3- and 4-byte characters in every order around each other. */
const TEXT = 'a€é𝄞b日𝄞€cé€𝄞日d';
const BYTES = new TextEncoder().encode(TEXT);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe('splitAtUtf8Boundary', () => {
  it('cuts at the last character boundary at or before max, for every max', () => {
    for (let max = 1; max <= BYTES.length + 1; max++) {
      const cut = splitAtUtf8Boundary(BYTES, max);
      expect(cut).toBeGreaterThanOrEqual(1);
      expect(cut).toBeLessThanOrEqual(Math.min(max, BYTES.length));
      if (max >= 4) {
        expect(isValid(BYTES.subarray(0, cut)), `max ${max}`).toBe(true);
        expect(isValid(BYTES.subarray(cut)), `max ${max}`).toBe(true);
        // The largest such cut: no later boundary fits.
        for (let later = cut + 1; later <= Math.min(max, BYTES.length); later++) {
          expect(isValid(BYTES.subarray(0, later)), `max ${max} later ${later}`).toBe(false);
        }
      }
    }
  });

  it('cuts a whole message stream into valid messages of at most max bytes', () => {
    for (let max = 4; max <= 12; max++) {
      const parts: Uint8Array[] = [];
      for (let offset = 0; offset < BYTES.length;) {
        const end = offset + splitAtUtf8Boundary(BYTES.subarray(offset), max);
        parts.push(BYTES.subarray(offset, end));
        offset = end;
      }
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(max);
        expect(isValid(part)).toBe(true);
      }
      expect(concat(parts)).toEqual(BYTES);
    }
  });

  it('makes progress on bytes that are not UTF-8 and rejects a useless max', () => {
    expect(splitAtUtf8Boundary(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80), 4)).toBe(4);
    expect(splitAtUtf8Boundary(Uint8Array.of(0xe2, 0x82, 0xac), 1)).toBe(1);
    expect(() => splitAtUtf8Boundary(BYTES, 0)).toThrow(RangeError);
  });
});

describe('incompleteUtf8TailLength', () => {
  it.each([
    ['ASCII', [0x61], 0],
    ['complete 2-byte', [0xc3, 0xa9], 0],
    ['1 of 2', [0x61, 0xc3], 1],
    ['1 of 3', [0xe2], 1],
    ['2 of 3', [0xe2, 0x82], 2],
    ['complete 3-byte', [0xe2, 0x82, 0xac], 0],
    ['3 of 4', [0xf0, 0x9d, 0x84], 3],
    ['complete 4-byte', [0xf0, 0x9d, 0x84, 0x9e], 0],
    ['stray continuation bytes', [0x80, 0x80, 0x80], 0],
    ['an invalid lead byte', [0xff], 0],
    ['an overlong lead byte', [0xc0], 0],
    ['nothing', [], 0],
  ])('%s', (_, bytes, expected) => {
    expect(incompleteUtf8TailLength(Uint8Array.from(bytes))).toBe(expected);
  });
});

describe('Utf8Carry', () => {
  it('returns only whole characters for every way of cutting the stream in three', () => {
    for (let a = 0; a <= BYTES.length; a++) {
      for (let b = a; b <= BYTES.length; b++) {
        const carry = new Utf8Carry();
        const out = [
          carry.push(BYTES.slice(0, a)),
          carry.push(BYTES.slice(a, b)),
          carry.push(BYTES.slice(b)),
        ];
        expect(carry.flush().length).toBe(0);
        for (const piece of out) expect(isValid(piece), `cuts ${a}/${b}`).toBe(true);
        expect(concat(out)).toEqual(BYTES);
      }
    }
  });

  it('passes invalid bytes through at once and flushes an unfinished character at the end', () => {
    const carry = new Utf8Carry();
    expect(carry.push(Uint8Array.of(0xff, 0x41))).toEqual(Uint8Array.of(0xff, 0x41));
    expect(carry.push(Uint8Array.of(0x42, 0xe2, 0x82))).toEqual(Uint8Array.of(0x42));
    expect(carry.flush()).toEqual(Uint8Array.of(0xe2, 0x82));
    expect(carry.flush()).toEqual(new Uint8Array(0));
  });
});
