// Small stream payloads (ssm-wire §4.4, §4.10): Size (PayloadType 3, JSON with lower-case keys),
// Flag (10, one big-endian uint32) and ExitCode (12, ASCII `EXIT_CODE: <n>`).

import { payloadInvalid, JsonObjectReader, parseJsonBytes } from '../json-shape.js';
import { PayloadFlag } from '../message-types.js';
import { encodeUtf8 } from '../text.js';
import { assertInteger, encodeJson, UINT32_MAX } from './encode-checks.js';
import {
  EXIT_CODE_PAYLOAD_MAX_BYTES,
  FLAG_PAYLOAD_LENGTH,
  SMALL_PAYLOAD_MAX_BYTES,
} from './limits.js';

/** Terminal size in character cells; both uint32 like AWS's `SizeData`. */
export interface SizePayload {
  readonly cols: number;
  readonly rows: number;
}

export function encodeSizePayload(value: SizePayload): Uint8Array {
  assertInteger(value.cols, 0, UINT32_MAX, 'cols');
  assertInteger(value.rows, 0, UINT32_MAX, 'rows');
  return encodeJson({ cols: value.cols, rows: value.rows }, SMALL_PAYLOAD_MAX_BYTES, 'Size');
}

export function parseSizePayload(bytes: Uint8Array): SizePayload {
  const reader = JsonObjectReader.from(
    parseJsonBytes(bytes, 'Size', SMALL_PAYLOAD_MAX_BYTES),
    'Size',
  );
  return {
    cols: reader.integer('cols', 0, UINT32_MAX),
    rows: reader.integer('rows', 0, UINT32_MAX),
  };
}

/** Any uint32 (unknown values are kept, so a newer peer's flag can be logged and ignored). */
export function encodeFlagPayload(flag: number): Uint8Array {
  assertInteger(flag, 0, UINT32_MAX, 'flag');
  const bytes = new Uint8Array(FLAG_PAYLOAD_LENGTH);
  new DataView(bytes.buffer).setUint32(0, flag);
  return bytes;
}

export function parseFlagPayload(bytes: Uint8Array): number {
  if (bytes.length !== FLAG_PAYLOAD_LENGTH) {
    throw payloadInvalid('Flag', `must be ${FLAG_PAYLOAD_LENGTH} bytes, got ${bytes.length}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
}

const KNOWN_FLAGS: readonly number[] = Object.values(PayloadFlag);

/** True for DisconnectToPort, TerminateSession and ConnectToPortError. */
export function isKnownPayloadFlag(flag: number): flag is PayloadFlag {
  return KNOWN_FLAGS.includes(flag);
}

const EXIT_CODE_PREFIX = 'EXIT_CODE: ';
/** Go's strconv.Itoa form: no sign on zero, no leading zeros, no spaces. */
const EXIT_CODE_PATTERN = /^EXIT_CODE: (0|-?[1-9][0-9]{0,9})$/;
/**
 * Exit codes are Go ints: -1 when a signal killed the process, up to 2^32-1 for Windows NTSTATUS
 * codes. We accept int32 ∪ uint32.
 */
export const EXIT_CODE_MIN = -0x8000_0000;
export const EXIT_CODE_MAX = UINT32_MAX;

export function encodeExitCodePayload(exitCode: number): Uint8Array {
  assertInteger(exitCode, EXIT_CODE_MIN, EXIT_CODE_MAX, 'exitCode');
  return encodeUtf8(`${EXIT_CODE_PREFIX}${exitCode}`);
}

export function parseExitCodePayload(bytes: Uint8Array): number {
  if (bytes.length > EXIT_CODE_PAYLOAD_MAX_BYTES) {
    throw payloadInvalid(
      'ExitCode',
      `is ${bytes.length} bytes; the limit is ${EXIT_CODE_PAYLOAD_MAX_BYTES}`,
    );
  }
  // Only ASCII can match the pattern, so a byte-wise conversion is exact.
  const text = String.fromCharCode(...bytes);
  const match = EXIT_CODE_PATTERN.exec(text);
  if (match === null) throw payloadInvalid('ExitCode', 'must be "EXIT_CODE: <integer>"');
  const exitCode = Number(match[1]);
  if (exitCode < EXIT_CODE_MIN || exitCode > EXIT_CODE_MAX) {
    throw payloadInvalid('ExitCode', `${exitCode} is outside ${EXIT_CODE_MIN}..${EXIT_CODE_MAX}`);
  }
  return exitCode;
}
