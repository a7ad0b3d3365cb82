// A small seeded PRNG (mulberry32) for fuzzing and simulations: the same seed gives the same run,
// so a failure found by a fuzz test can be replayed exactly.

export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  bytes(length: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    chance: (p) => next() < p,
    bytes: (length) => Uint8Array.from({ length }, () => int(256)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(items.length)] as T;
    },
  };
}

/**
 * Returns a copy of `input` with a few random edits (bit flips, byte overwrites, truncation,
 * duplication, insertion): the "mutated" half of a fuzz corpus.
 */
export function mutateBytes(input: Uint8Array, random: Random): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  const edits = 1 + random.int(4);
  for (let e = 0; e < edits; e++) {
    const at = bytes.length === 0 ? 0 : random.int(bytes.length);
    switch (random.int(5)) {
      case 0:
        if (bytes.length > 0) bytes[at] = (bytes[at] ?? 0) ^ (1 << random.int(8));
        break;
      case 1:
        if (bytes.length > 0) bytes[at] = random.int(256);
        break;
      case 2:
        bytes = bytes.slice(0, at);
        break;
      case 3:
        bytes = concatBytes(
          bytes.subarray(0, at),
          bytes.subarray(at, at + 1 + random.int(16)),
          bytes.subarray(at),
        );
        break;
      default:
        bytes = concatBytes(
          bytes.subarray(0, at),
          random.bytes(1 + random.int(8)),
          bytes.subarray(at),
        );
    }
  }
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
