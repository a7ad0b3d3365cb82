// smux v1 framing: the captured frames of ssm-wire §5.4 as vectors built from hex text (never with
// the encoder under test), every split of the vector stream, round trips, and each error path.

import { createRandom } from '@openssm/testkit';
import type { Random } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import {
  CodedError,
  ERROR_CODES,
  SMUX_DEFAULT_KEEP_ALIVE_INTERVAL_MS,
  SMUX_DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  SMUX_DEFAULT_MAX_FRAME_SIZE,
  SMUX_HEADER_LAYOUT,
  SMUX_HEADER_LENGTH,
  SMUX_MAX_DATA_LENGTH,
  SMUX_VERSION,
  SmuxCommand,
  SmuxDecoder,
  encodeSmuxFrame,
  isSmuxCommand,
} from '@openssm/protocol';
import type { SmuxDecoderOptions, SmuxFrame } from '@openssm/protocol';

/** Bytes from hex text; spaces are for readability only. */
function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error(`bad hex ${text}`);
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** A frame header written field by field as little-endian hex, independent of the encoder. */
function header(version: number, command: number, length: number, streamId: number): Uint8Array {
  const le = (value: number, bytes: number): string => {
    let out = '';
    for (let i = 0; i < bytes; i++)
      out += ((value / 256 ** i) & 0xff).toString(16).padStart(2, '0');
    return out;
  };
  return hex(le(version, 1) + le(command, 1) + le(length, 2) + le(streamId, 4));
}

const REQUEST = 'GET / HTTP/1.0\r\n\r\n';

/** The three frames the real plugin sent for one TCP connection (ssm-wire §5.4), plus two more. */
const VECTORS = [
  {
    name: 'SYN stream 3 (captured)',
    bytes: hex('01 00 0000 03000000'),
    frame: { command: SmuxCommand.Syn, streamId: 3, data: new Uint8Array(0) },
  },
  {
    name: 'PSH stream 3, 18 bytes (captured)',
    bytes: concat(hex('01 02 1200 03000000'), latin1(REQUEST)),
    frame: { command: SmuxCommand.Psh, streamId: 3, data: latin1(REQUEST) },
  },
  {
    name: 'FIN stream 3 (captured)',
    bytes: hex('01 01 0000 03000000'),
    frame: { command: SmuxCommand.Fin, streamId: 3, data: new Uint8Array(0) },
  },
  {
    name: 'NOP on stream 0 (keep-alive)',
    bytes: hex('01 03 0000 00000000'),
    frame: { command: SmuxCommand.Nop, streamId: 0, data: new Uint8Array(0) },
  },
  {
    name: 'zero-length PSH on stream 5',
    bytes: hex('01 02 0000 05000000'),
    frame: { command: SmuxCommand.Psh, streamId: 5, data: new Uint8Array(0) },
  },
  {
    name: 'PSH with every byte of the stream id distinct (little-endian order)',
    bytes: hex('01 02 0300 78563412 616263'),
    frame: { command: SmuxCommand.Psh, streamId: 0x12345678, data: latin1('abc') },
  },
  {
    name: 'SYN on the largest stream id',
    bytes: hex('01 00 0000 ffffffff'),
    frame: { command: SmuxCommand.Syn, streamId: 0xffff_ffff, data: new Uint8Array(0) },
  },
] as const;

const STREAM = concat(...VECTORS.map((vector) => vector.bytes));
const STREAM_FRAMES: SmuxFrame[] = VECTORS.map((vector) => vector.frame);

/** Decodes `chunks` with a fresh decoder; returns the frames and the decoder. */
function decodeChunks(
  chunks: readonly Uint8Array[],
  options?: SmuxDecoderOptions,
): { frames: SmuxFrame[]; decoder: SmuxDecoder } {
  const frames: SmuxFrame[] = [];
  const decoder = new SmuxDecoder((frame) => frames.push(frame), options);
  for (const chunk of chunks) decoder.push(chunk);
  return { frames, decoder };
}

/** Cuts `bytes` into random pieces (some empty), copying each so no piece shares a buffer. */
function randomChunks(bytes: Uint8Array, random: Random): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = random.chance(0.1) ? 0 : 1 + random.int(random.chance(0.5) ? 4 : 64);
    chunks.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return chunks;
}

function expectCode(action: () => void, code: string): CodedError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CodedError);
  expect((caught as CodedError).code).toBe(code);
  return caught as CodedError;
}

describe('smux header layout', () => {
  it('has offsets that follow from the lengths, adding up to the header length', () => {
    let offset = 0;
    for (const row of SMUX_HEADER_LAYOUT) {
      expect(row.offset, row.field).toBe(offset);
      offset += row.length;
    }
    expect(offset).toBe(SMUX_HEADER_LENGTH);
    expect(SMUX_HEADER_LENGTH).toBe(8);
  });

  it('carries the version 1 commands and the smux DefaultConfig values AWS uses', () => {
    expect(SMUX_VERSION).toBe(1);
    expect(SmuxCommand).toEqual({ Syn: 0, Fin: 1, Psh: 2, Nop: 3 });
    expect(SMUX_MAX_DATA_LENGTH).toBe(65535);
    expect(SMUX_DEFAULT_MAX_FRAME_SIZE).toBe(32768);
    expect(SMUX_DEFAULT_KEEP_ALIVE_INTERVAL_MS).toBe(10_000);
    expect(SMUX_DEFAULT_KEEP_ALIVE_TIMEOUT_MS).toBe(30_000);
  });

  it('recognises exactly the four version 1 commands', () => {
    for (const value of [0, 1, 2, 3]) expect(isSmuxCommand(value)).toBe(true);
    for (const value of [-1, 4, 9, 255, 1.5, '2', null, undefined]) {
      expect(isSmuxCommand(value)).toBe(false);
    }
  });

  it('has a registry entry for every error the decoder throws', () => {
    for (const code of [
      'SmuxVersionUnsupported',
      'SmuxCommandUnknown',
      'SmuxFrameInvalid',
      'SmuxFrameTooLarge',
    ]) {
      expect(ERROR_CODES).toHaveProperty(code);
    }
  });
});

describe('smux vectors', () => {
  it('builds the captured bytes independently of the encoder', () => {
    // Guards the builders themselves: the header helper agrees with the hex text of the capture.
    expect(header(1, 0, 0, 3)).toEqual(VECTORS[0].bytes);
    expect(concat(header(1, 2, 18, 3), latin1(REQUEST))).toEqual(VECTORS[1].bytes);
    expect(VECTORS[1].bytes.length).toBe(8 + 18);
  });

  for (const vector of VECTORS) {
    it(`decodes ${vector.name}`, () => {
      const { frames, decoder } = decodeChunks([vector.bytes]);
      expect(frames).toEqual([vector.frame]);
      expect(decoder.bufferedBytes).toBe(0);
      expect(decoder.state).toBe('header');
    });

    it(`encodes ${vector.name} byte for byte`, () => {
      expect(encodeSmuxFrame(vector.frame)).toEqual(vector.bytes);
    });
  }

  it('encodes a frame without data when data is omitted', () => {
    expect(encodeSmuxFrame({ command: SmuxCommand.Syn, streamId: 3 })).toEqual(VECTORS[0].bytes);
  });

  it('decodes the whole vector stream in one chunk', () => {
    expect(decodeChunks([STREAM]).frames).toEqual(STREAM_FRAMES);
  });

  it('decodes the vector stream split into two chunks at every byte position', () => {
    for (let at = 0; at <= STREAM.length; at++) {
      const { frames, decoder } = decodeChunks([STREAM.slice(0, at), STREAM.slice(at)]);
      expect(frames, `split at ${at}`).toEqual(STREAM_FRAMES);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('decodes the vector stream split into three chunks at every pair of positions', () => {
    for (let a = 0; a <= STREAM.length; a++) {
      for (let b = a; b <= STREAM.length; b++) {
        const chunks = [STREAM.slice(0, a), STREAM.slice(a, b), STREAM.slice(b)];
        expect(decodeChunks(chunks).frames, `split at ${a}, ${b}`).toEqual(STREAM_FRAMES);
      }
    }
  });

  it('decodes the vector stream fed one byte at a time', () => {
    const chunks = Array.from(STREAM, (byte) => Uint8Array.of(byte));
    expect(decodeChunks(chunks).frames).toEqual(STREAM_FRAMES);
  });

  it('decodes the vector stream in random chunkings', () => {
    const random = createRandom(0x5e0c);
    for (let run = 0; run < 500; run++) {
      expect(decodeChunks(randomChunks(STREAM, random)).frames, `run ${run}`).toEqual(
        STREAM_FRAMES,
      );
    }
  });

  it('decodes chunks that are views into a larger buffer', () => {
    const padded = concat(hex('ee ee ee'), STREAM, hex('ee'));
    const view = padded.subarray(3, 3 + STREAM.length);
    const { frames } = decodeChunks([view.subarray(0, 11), view.subarray(11)]);
    expect(frames).toEqual(STREAM_FRAMES);
  });
});

describe('SmuxDecoder streaming', () => {
  it('emits a frame as soon as its last byte arrives, with nothing held afterwards', () => {
    const frames: SmuxFrame[] = [];
    const decoder = new SmuxDecoder((frame) => frames.push(frame));
    const psh = VECTORS[1].bytes;

    decoder.push(psh.slice(0, 3));
    expect(decoder.state).toBe('header');
    expect(decoder.bufferedBytes).toBe(3);
    decoder.push(psh.slice(3, 8));
    expect(decoder.state).toBe('body');
    expect(decoder.bufferedBytes).toBe(8);
    decoder.push(psh.slice(8, 20));
    expect(decoder.bufferedBytes).toBe(20);
    expect(frames).toEqual([]);
    decoder.push(psh.slice(20));
    expect(frames).toEqual([VECTORS[1].frame]);
    expect(decoder.state).toBe('header');
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('completes a data-less frame with its header even when the chunk ends there', () => {
    const frames: SmuxFrame[] = [];
    const decoder = new SmuxDecoder((frame) => frames.push(frame));
    decoder.push(VECTORS[0].bytes);
    expect(frames).toEqual([VECTORS[0].frame]);
    decoder.push(new Uint8Array(0));
    expect(frames).toHaveLength(1);
  });

  it('copies frame data so the caller may reuse its chunk buffer', () => {
    // One chunk holding whole frames, then the same buffer overwritten.
    const whole = STREAM.slice();
    const { frames } = decodeChunks([whole]);
    whole.fill(0xaa);
    expect(frames).toEqual(STREAM_FRAMES);
    for (const frame of frames) {
      // Each frame owns a buffer of exactly its length: no view of the chunk, no over-allocation.
      expect(frame.data.buffer).not.toBe(whole.buffer);
      expect(frame.data.byteOffset).toBe(0);
      expect(frame.data.buffer.byteLength).toBe(frame.data.length);
    }

    // A frame assembled across chunks carved from one reused buffer.
    const psh = VECTORS[1].bytes;
    const scratch = new Uint8Array(psh.length);
    const collected: SmuxFrame[] = [];
    const decoder = new SmuxDecoder((frame) => collected.push(frame));
    for (const [from, to] of [
      [0, 10],
      [10, psh.length],
    ] as const) {
      scratch.set(psh.subarray(from, to));
      decoder.push(scratch.subarray(0, to - from));
      scratch.fill(0x55);
    }
    expect(collected).toEqual([VECTORS[1].frame]);
    expect(collected[0]!.data.buffer.byteLength).toBe(18);
  });

  it('accepts the largest frame the length field allows by default', () => {
    const data = createRandom(1).bytes(SMUX_MAX_DATA_LENGTH);
    const bytes = concat(header(1, 2, 0xffff, 7), data);
    const { frames } = decodeChunks([bytes.slice(0, 30_000), bytes.slice(30_000)]);
    expect(frames).toEqual([{ command: SmuxCommand.Psh, streamId: 7, data }]);
  });

  it('accepts frames up to a configured maxFrameSize such as AWS’s 32768', () => {
    const data = new Uint8Array(SMUX_DEFAULT_MAX_FRAME_SIZE).fill(7);
    const bytes = concat(header(1, 2, SMUX_DEFAULT_MAX_FRAME_SIZE, 3), data);
    const options = { maxFrameSize: SMUX_DEFAULT_MAX_FRAME_SIZE };
    expect(decodeChunks([bytes], options).frames).toEqual([
      { command: SmuxCommand.Psh, streamId: 3, data },
    ]);
  });

  it('rejects a maxFrameSize outside what the length field can express', () => {
    for (const maxFrameSize of [-1, 65536, 1.5, Number.NaN]) {
      expect(() => new SmuxDecoder(() => undefined, { maxFrameSize })).toThrow(RangeError);
    }
    expect(() => new SmuxDecoder(() => undefined, { maxFrameSize: 0 })).not.toThrow();
  });
});

describe('smux round trips', () => {
  it('decode(encode(frame)) for random frames in random chunkings', () => {
    const random = createRandom(0x2f11);
    const commands = Object.values(SmuxCommand);
    for (let run = 0; run < 200; run++) {
      const frames: SmuxFrame[] = [];
      const count = 1 + random.int(8);
      for (let i = 0; i < count; i++) {
        const command = random.pick(commands);
        const streamId = random.chance(0.2)
          ? random.pick([0, 1, 0xffff_fffe, 0xffff_ffff])
          : random.int(2 ** 32);
        const length = command !== SmuxCommand.Psh ? 0 : random.chance(0.05) ? 0 : random.int(300);
        frames.push({ command, streamId, data: random.bytes(length) });
      }
      const bytes = concat(...frames.map(encodeSmuxFrame));
      expect(decodeChunks(randomChunks(bytes, random)).frames, `run ${run}`).toEqual(frames);
    }
  });

  it('encode(decode(bytes)) reproduces the vector stream', () => {
    const { frames } = decodeChunks([STREAM]);
    expect(concat(...frames.map(encodeSmuxFrame))).toEqual(STREAM);
  });
});

describe('encodeSmuxFrame rejects programmer mistakes', () => {
  it('refuses data longer than the uint16 length field', () => {
    const data = new Uint8Array(SMUX_MAX_DATA_LENGTH + 1);
    expect(() => encodeSmuxFrame({ command: SmuxCommand.Psh, streamId: 3, data })).toThrow(
      RangeError,
    );
    const max = new Uint8Array(SMUX_MAX_DATA_LENGTH);
    expect(encodeSmuxFrame({ command: SmuxCommand.Psh, streamId: 3, data: max })).toHaveLength(
      8 + 65535,
    );
  });

  it('refuses stream ids outside uint32', () => {
    for (const streamId of [-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        () => encodeSmuxFrame({ command: SmuxCommand.Syn, streamId }),
        String(streamId),
      ).toThrow(RangeError);
    }
  });

  it('refuses commands other than SYN, FIN, PSH and NOP (UPD is version 2 only)', () => {
    for (const command of [4, 9, -1, 255]) {
      expect(() => encodeSmuxFrame({ command: command as SmuxCommand, streamId: 3 })).toThrow(
        RangeError,
      );
    }
  });

  it('refuses data on SYN, FIN and NOP, which xtaci/smux would not read', () => {
    for (const command of [SmuxCommand.Syn, SmuxCommand.Fin, SmuxCommand.Nop]) {
      expect(() => encodeSmuxFrame({ command, streamId: 3, data: Uint8Array.of(1) })).toThrow(
        RangeError,
      );
    }
  });

  it('refuses data that is not a Uint8Array', () => {
    const data = [1, 2, 3] as unknown as Uint8Array;
    expect(() => encodeSmuxFrame({ command: SmuxCommand.Psh, streamId: 3, data })).toThrow(
      TypeError,
    );
  });
});

describe('SmuxDecoder rejects bad input', () => {
  it('rejects versions other than 1, including smux version 2', () => {
    for (const version of [0, 2, 0xff]) {
      expectCode(() => decodeChunks([header(version, 0, 0, 3)]), 'SmuxVersionUnsupported');
    }
  });

  it('rejects UPD (version 2 only) and other unknown commands', () => {
    for (const command of [4, 9, 0xff]) {
      expectCode(() => decodeChunks([header(1, command, 0, 3)]), 'SmuxCommandUnknown');
    }
  });

  it('rejects SYN, FIN and NOP frames that carry data', () => {
    for (const command of [0, 1, 3]) {
      const bytes = concat(header(1, command, 2, 3), hex('0102'));
      expectCode(() => decodeChunks([bytes]), 'SmuxFrameInvalid');
    }
  });

  it('rejects an oversized frame from its header alone, before allocating its body', () => {
    const maxFrameSize = 16;
    const decoder = new SmuxDecoder(() => undefined, { maxFrameSize });
    decoder.push(header(1, 2, 16, 3));
    decoder.push(new Uint8Array(16));
    expect(decoder.bufferedBytes).toBe(0);

    const oversized = header(1, 2, 17, 3);
    decoder.push(oversized.subarray(0, 7));
    expect(decoder.bufferedBytes).toBe(7);
    // The push completing the header throws; no body byte has been pushed yet.
    const error = expectCode(() => decoder.push(oversized.subarray(7)), 'SmuxFrameTooLarge');
    expect(error.message).toContain('17');
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.state).toBe('failed');
  });

  it('never holds more than the header plus maxFrameSize, whatever the claimed length', () => {
    const maxFrameSize = 16;
    const random = createRandom(0x0b16);
    for (let run = 0; run < 200; run++) {
      const length = random.int(64);
      const bytes = concat(header(1, 2, length, 3), random.bytes(length));
      const decoder = new SmuxDecoder(() => undefined, { maxFrameSize });
      let failed: unknown;
      for (const chunk of randomChunks(bytes, random)) {
        try {
          decoder.push(chunk);
        } catch (error) {
          failed = error;
          break;
        } finally {
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(SMUX_HEADER_LENGTH + maxFrameSize);
        }
      }
      if (length > maxFrameSize) {
        expect((failed as CodedError).code).toBe('SmuxFrameTooLarge');
      } else {
        expect(failed).toBeUndefined();
      }
    }
  });

  it('uses the limit from the options rather than AWS’s 32768 by default', () => {
    const bytes = header(1, 2, SMUX_DEFAULT_MAX_FRAME_SIZE + 1, 3);
    expect(() => decodeChunks([bytes])).not.toThrow();
    expectCode(
      () => decodeChunks([bytes], { maxFrameSize: SMUX_DEFAULT_MAX_FRAME_SIZE }),
      'SmuxFrameTooLarge',
    );
  });

  it('checks the version before the command and the command before the length', () => {
    expectCode(
      () => decodeChunks([header(2, 9, 0xffff, 3)], { maxFrameSize: 1 }),
      'SmuxVersionUnsupported',
    );
    expectCode(
      () => decodeChunks([header(1, 9, 0xffff, 3)], { maxFrameSize: 1 }),
      'SmuxCommandUnknown',
    );
    expectCode(
      () => decodeChunks([header(1, 0, 0xffff, 3)], { maxFrameSize: 1 }),
      'SmuxFrameInvalid',
    );
  });

  it('delivers the frames before a bad frame in the same chunk, then throws', () => {
    const frames: SmuxFrame[] = [];
    const decoder = new SmuxDecoder((frame) => frames.push(frame));
    const bytes = concat(VECTORS[0].bytes, VECTORS[1].bytes, header(2, 0, 0, 3), VECTORS[2].bytes);
    expectCode(() => decoder.push(bytes), 'SmuxVersionUnsupported');
    expect(frames).toEqual([VECTORS[0].frame, VECTORS[1].frame]);
  });

  it('stays poisoned: every later push throws the same error', () => {
    const frames: SmuxFrame[] = [];
    const decoder = new SmuxDecoder((frame) => frames.push(frame));
    const first = expectCode(() => decoder.push(header(1, 4, 0, 3)), 'SmuxCommandUnknown');
    for (const chunk of [VECTORS[0].bytes, new Uint8Array(0), STREAM]) {
      let again: unknown;
      try {
        decoder.push(chunk);
      } catch (error) {
        again = error;
      }
      expect(again).toBe(first);
    }
    expect(frames).toEqual([]);
    expect(decoder.state).toBe('failed');
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('is poisoned by an exception from onFrame, which propagates', () => {
    const boom = new Error('consumer failed');
    const seen: SmuxFrame[] = [];
    const decoder = new SmuxDecoder((frame) => {
      seen.push(frame);
      if (frame.command === SmuxCommand.Psh) throw boom;
    });
    expect(() => decoder.push(STREAM)).toThrow(boom);
    expect(seen).toEqual(STREAM_FRAMES.slice(0, 2));
    expect(decoder.state).toBe('failed');
    expect(() => decoder.push(VECTORS[0].bytes)).toThrow(boom);
    expect(seen).toHaveLength(2);
  });

  it('refuses a push made from inside onFrame', () => {
    let inner: unknown;
    const decoder = new SmuxDecoder(() => {
      try {
        decoder.push(VECTORS[0].bytes);
      } catch (error) {
        inner = error;
      }
    });
    decoder.push(VECTORS[0].bytes);
    expect(inner).toBeInstanceOf(Error);
    expect(inner).not.toBeInstanceOf(CodedError);
    expect(decoder.state).toBe('header');
  });
});
