// Fuzzes the smux v1 decoder: random and mutated byte streams in random chunkings must either
// decode or fail with a Smux* CodedError, agree with a whole-buffer reference parser written here,
// and never hold more than one header plus maxFrameSize bytes.

import { createRandom, mutateBytes } from '@openssm/testkit';
import type { Random } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import { CodedError, SmuxDecoder } from '@openssm/protocol';
import type { SmuxFrame } from '@openssm/protocol';

const INPUTS = 20_000;
const SEED = 0x5a1c_f00d;

interface Outcome {
  readonly frames: { command: number; streamId: number; data: Uint8Array }[];
  /** The error code, or null when the input ended cleanly or inside a frame. */
  readonly error: string | null;
  /** Bytes of an unfinished frame left at the end (0 after an error). */
  readonly pending: number;
}

/** Parses a complete buffer the simple way, independently of SmuxDecoder. */
function referenceDecode(bytes: Uint8Array, maxFrameSize: number): Outcome {
  const frames: Outcome['frames'] = [];
  let offset = 0;
  while (bytes.length - offset >= 8) {
    const version = bytes[offset]!;
    const command = bytes[offset + 1]!;
    const length = bytes[offset + 2]! | (bytes[offset + 3]! << 8);
    const streamId =
      bytes[offset + 4]! +
      bytes[offset + 5]! * 2 ** 8 +
      bytes[offset + 6]! * 2 ** 16 +
      bytes[offset + 7]! * 2 ** 24;
    if (version !== 1) return { frames, error: 'SmuxVersionUnsupported', pending: 0 };
    if (command > 3) return { frames, error: 'SmuxCommandUnknown', pending: 0 };
    if (command !== 2 && length > 0) return { frames, error: 'SmuxFrameInvalid', pending: 0 };
    if (length > maxFrameSize) return { frames, error: 'SmuxFrameTooLarge', pending: 0 };
    if (bytes.length - offset - 8 < length) break;
    frames.push({ command, streamId, data: bytes.slice(offset + 8, offset + 8 + length) });
    offset += 8 + length;
  }
  return { frames, error: null, pending: bytes.length - offset };
}

/** A valid stream of a few frames, written by hand; lengths sometimes straddle the limit. */
function validStream(random: Random, maxFrameSize: number): Uint8Array {
  const parts: number[] = [];
  const count = 1 + random.int(6);
  for (let i = 0; i < count; i++) {
    const command = random.int(4);
    const length =
      command !== 2 ? 0 : random.chance(0.1) ? Math.min(maxFrameSize, 200) : random.int(40);
    const streamId = random.chance(0.5) ? 1 + 2 * random.int(8) : random.int(2 ** 32);
    parts.push(1, command, length & 0xff, length >> 8);
    for (let b = 0; b < 4; b++) parts.push(Math.floor(streamId / 2 ** (8 * b)) & 0xff);
    for (let b = 0; b < length; b++) parts.push(random.int(256));
  }
  return Uint8Array.from(parts);
}

function randomChunks(bytes: Uint8Array, random: Random): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = random.chance(0.05) ? 0 : 1 + random.int(random.chance(0.5) ? 3 : 48);
    chunks.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return chunks;
}

function sameFrames(a: readonly SmuxFrame[], b: Outcome['frames']): boolean {
  if (a.length !== b.length) return false;
  return a.every((frame, i) => {
    const other = b[i]!;
    return (
      frame.command === other.command &&
      frame.streamId === other.streamId &&
      Buffer.from(frame.data).equals(Buffer.from(other.data))
    );
  });
}

describe('SmuxDecoder fuzz', () => {
  it(`survives ${INPUTS} random and mutated streams in random chunkings`, () => {
    const random = createRandom(SEED);
    const failures: string[] = [];
    const errorCounts = new Map<string, number>();
    let framesDecoded = 0;

    for (let input = 0; input < INPUTS && failures.length < 5; input++) {
      const maxFrameSize = random.pick([0, 16, 64, 32_768, 65_535]);
      const bytes =
        input % 2 === 0
          ? random.bytes(random.int(96))
          : mutateBytes(validStream(random, maxFrameSize), random);
      const expected = referenceDecode(bytes, maxFrameSize);
      const frames: SmuxFrame[] = [];
      const decoder = new SmuxDecoder((frame) => frames.push(frame), { maxFrameSize });
      let error: unknown = null;

      for (const chunk of randomChunks(bytes, random)) {
        try {
          decoder.push(chunk);
        } catch (caught) {
          error = caught;
        }
        if (decoder.bufferedBytes > 8 + maxFrameSize) {
          failures.push(`input ${input}: ${decoder.bufferedBytes} bytes buffered`);
        }
        if (error !== null) break;
      }

      const code =
        error instanceof CodedError && error.code.startsWith('Smux') ? error.code : undefined;
      if (error !== null && code === undefined) {
        failures.push(
          `input ${input}: unexpected ${error instanceof Error ? error.stack : typeof error}`,
        );
        continue;
      }
      if ((code ?? null) !== expected.error) {
        failures.push(`input ${input}: error ${code} but the reference says ${expected.error}`);
      }
      if (!sameFrames(frames, expected.frames)) {
        failures.push(`input ${input}: frames differ from the reference`);
      }
      if (code === undefined && decoder.bufferedBytes !== expected.pending) {
        failures.push(
          `input ${input}: ${decoder.bufferedBytes} buffered, ${expected.pending} left`,
        );
      }
      if (code !== undefined) {
        errorCounts.set(code, (errorCounts.get(code) ?? 0) + 1);
        try {
          decoder.push(Uint8Array.of(1));
          failures.push(`input ${input}: push after ${code} did not throw`);
        } catch (again) {
          if (again !== error) failures.push(`input ${input}: a poisoned push threw another error`);
        }
      }
      framesDecoded += frames.length;
    }

    expect(failures).toEqual([]);
    // The corpus must reach every error path and still decode plenty, or it proves little.
    expect([...errorCounts.keys()].sort()).toEqual([
      'SmuxCommandUnknown',
      'SmuxFrameInvalid',
      'SmuxFrameTooLarge',
      'SmuxVersionUnsupported',
    ]);
    expect(framesDecoded).toBeGreaterThan(INPUTS / 2);
  });
});
