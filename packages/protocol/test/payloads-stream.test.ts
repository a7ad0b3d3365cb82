// Size, Flag and ExitCode stream payloads (ssm-wire §4.4, §4.10) against the captured bytes of
// §12.4: `{"cols":300,"rows":100}`, flag `00000002`, `EXIT_CODE: 0`.

import {
  encodeExitCodePayload,
  encodeFlagPayload,
  encodeSizePayload,
  EXIT_CODE_MAX,
  EXIT_CODE_MIN,
  isKnownPayloadFlag,
  parseExitCodePayload,
  parseFlagPayload,
  parseSizePayload,
  PayloadFlag,
} from '@openssm/protocol';
import { createRandom } from '@openssm/testkit';
import { describe, expect, it } from 'vitest';
import {
  expectFieldsEnforced,
  invalid,
  NOT_A_JSON_OBJECT,
  text,
  utf8,
  WRONG,
} from './payloads-helpers.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const unhex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

describe('Size payload', () => {
  it('parses and encodes the captured Size byte for byte', () => {
    expect(parseSizePayload(utf8('{"cols":300,"rows":100}'))).toEqual({ cols: 300, rows: 100 });
    expect(text(encodeSizePayload({ cols: 300, rows: 100 }))).toBe('{"cols":300,"rows":100}');
  });

  it('round-trips the uint32 range', () => {
    for (const [cols, rows] of [
      [0, 0],
      [1, 2],
      [0xffff_ffff, 65_535],
    ] as const) {
      expect(parseSizePayload(encodeSizePayload({ cols, rows }))).toEqual({ cols, rows });
    }
  });

  it('requires lower-case uint32 cols and rows', () => {
    expectFieldsEnforced((json) => parseSizePayload(utf8(json)), { cols: 300, rows: 100 }, [
      { key: 'cols', wrong: [...WRONG.integer, 2 ** 32, 80.5] },
      { key: 'rows', wrong: [...WRONG.integer, 2 ** 32] },
    ]);
    invalid(() => parseSizePayload(utf8('{"Cols":300,"Rows":100}')), 'Size.cols is missing');
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseSizePayload(bytes));
    for (const bad of [
      { cols: -1, rows: 1 },
      { cols: 1, rows: 2 ** 32 },
      { cols: 1.5, rows: 1 },
    ]) {
      expect(() => encodeSizePayload(bad)).toThrow(RangeError);
    }
  });
});

describe('Flag payload', () => {
  it('parses and encodes the captured TerminateSession flag', () => {
    expect(parseFlagPayload(unhex('00000002'))).toBe(PayloadFlag.TerminateSession);
    expect(hex(encodeFlagPayload(PayloadFlag.TerminateSession))).toBe('00000002');
  });

  it('is big-endian and keeps unknown values', () => {
    expect(hex(encodeFlagPayload(0x01020304))).toBe('01020304');
    expect(parseFlagPayload(unhex('ffffffff'))).toBe(0xffff_ffff);
    expect(parseFlagPayload(unhex('00000009'))).toBe(9);
    expect(isKnownPayloadFlag(9)).toBe(false);
    expect(isKnownPayloadFlag(0)).toBe(false);
    for (const flag of Object.values(PayloadFlag)) {
      expect(isKnownPayloadFlag(flag)).toBe(true);
      expect(parseFlagPayload(encodeFlagPayload(flag))).toBe(flag);
    }
  });

  it('reads a view into a larger buffer at its own offset', () => {
    const buffer = unhex('ff00000003ff');
    expect(parseFlagPayload(buffer.subarray(1, 5))).toBe(3);
  });

  it('rejects every length but 4', () => {
    for (const length of [0, 1, 3, 5, 8, 1024]) {
      invalid(
        () => parseFlagPayload(new Uint8Array(length)),
        `Flag must be 4 bytes, got ${length}`,
      );
    }
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN])
      expect(() => encodeFlagPayload(bad)).toThrow(RangeError);
  });
});

describe('ExitCode payload', () => {
  it('parses and encodes the captured EXIT_CODE: 0', () => {
    expect(parseExitCodePayload(utf8('EXIT_CODE: 0'))).toBe(0);
    expect(text(encodeExitCodePayload(0))).toBe('EXIT_CODE: 0');
  });

  it('round-trips Go ints from -2^31 (and -1 for signals) to 2^32-1 (Windows codes)', () => {
    const random = createRandom(0xe817);
    const codes = [EXIT_CODE_MIN, -1, 1, 127, 255, 3221225477, EXIT_CODE_MAX];
    for (let i = 0; i < 200; i++)
      codes.push(EXIT_CODE_MIN + random.int(EXIT_CODE_MAX - EXIT_CODE_MIN + 1));
    for (const code of codes) expect(parseExitCodePayload(encodeExitCodePayload(code))).toBe(code);
    expect(text(encodeExitCodePayload(-1))).toBe('EXIT_CODE: -1');
  });

  it('accepts only the exact strconv.Itoa form', () => {
    for (const bad of [
      '',
      'EXIT_CODE: ',
      'EXIT_CODE:0',
      'EXIT_CODE:  0',
      'exit_code: 0',
      'EXIT_CODE: 0 ',
      ' EXIT_CODE: 0',
      'EXIT_CODE: 0\n',
      'EXIT_CODE: -0',
      'EXIT_CODE: +1',
      'EXIT_CODE: 01',
      'EXIT_CODE: 1.0',
      'EXIT_CODE: 1e3',
      'EXIT_CODE: 0x10',
      'EXIT_CODE: ١',
      'EXIT_CODE: 12345678901',
      'EXIT_CODE: 4294967296',
      'EXIT_CODE: -2147483649',
      'EXIT_CODE: -9999999999',
      `EXIT_CODE: ${'1'.repeat(40)}`,
    ]) {
      invalid(() => parseExitCodePayload(utf8(bad)), 'ExitCode');
    }
    invalid(() => parseExitCodePayload(Uint8Array.of(0x45, 0xff, 0xfe)), 'ExitCode');
    for (const bad of [EXIT_CODE_MIN - 1, EXIT_CODE_MAX + 1, 0.5, Number.NaN]) {
      expect(() => encodeExitCodePayload(bad)).toThrow(RangeError);
    }
  });
});
