// AgentMessage test vectors built by hand, independently of @openssm/protocol's codec: fields are
// written as big-endian hex text and the MessageId is swapped by string halves, so a bug shared
// with the encoder cannot hide. Options break one thing at a time for the decoder's error paths.

import { createHash } from 'node:crypto';

/** The header fields of a vector. 64-bit fields take bigint so out-of-range values can be built. */
export interface AgentMessageVectorFields {
  /** Written verbatim (then padded); bytes allow non-ASCII or embedded NULs. */
  readonly messageType: string | Uint8Array;
  readonly schemaVersion?: number;
  readonly createdDate: number | bigint;
  readonly sequenceNumber?: number | bigint;
  readonly flags?: number | bigint;
  /** Canonical UUID text; written in the swapped wire layout. */
  readonly messageId: string;
  readonly payloadType?: number;
  readonly payload?: string | Uint8Array;
}

/** Ways to make a vector wrong (or unusual) on purpose. Each defaults to what AWS writes. */
export interface AgentMessageVectorOptions {
  /** Value written into HeaderLength. Default: 116 + extraHeader length. */
  readonly headerLength?: number;
  /** Bytes placed after PayloadLength and before the payload (a longer header). */
  readonly extraHeader?: Uint8Array;
  /** Value written into PayloadLength. Default: the payload's length. */
  readonly payloadLength?: number;
  /** PayloadDigest bytes (32). Default: SHA-256 of the payload. */
  readonly digest?: Uint8Array;
  /** Fill after MessageType. AWS writers pad with spaces. */
  readonly messageTypePadding?: 'space' | 'nul';
  /** Keep only this many bytes of the finished vector. */
  readonly truncateTo?: number;
}

const MESSAGE_TYPE_BYTES = 32;
const FIXED_HEADER_LENGTH = 116;

/** Builds the bytes of one AgentMessage from `fields`, broken as `options` asks. */
export function buildAgentMessageVector(
  fields: AgentMessageVectorFields,
  options: AgentMessageVectorOptions = {},
): Uint8Array {
  const payload = toBytes(fields.payload ?? '');
  const extraHeader = options.extraHeader ?? new Uint8Array(0);
  const digest = options.digest ?? createHash('sha256').update(payload).digest();
  if (digest.length !== 32) throw new RangeError('a digest is 32 bytes');

  const hex = [
    beHex(options.headerLength ?? FIXED_HEADER_LENGTH + extraHeader.length, 4),
    messageTypeHex(fields.messageType, options.messageTypePadding ?? 'space'),
    beHex(fields.schemaVersion ?? 1, 4),
    beHex(fields.createdDate, 8),
    beHex(fields.sequenceNumber ?? 0, 8),
    beHex(fields.flags ?? 0, 8),
    uuidToWireHex(fields.messageId),
    Buffer.from(digest).toString('hex'),
    beHex(fields.payloadType ?? 0, 4),
    beHex(options.payloadLength ?? payload.length, 4),
    Buffer.from(extraHeader).toString('hex'),
    Buffer.from(payload).toString('hex'),
  ].join('');
  const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  return options.truncateTo === undefined ? bytes : bytes.slice(0, options.truncateTo);
}

/** The 16 wire bytes of a MessageId as hex: the UUID's second half first, then its first half. */
export function uuidToWireHex(uuid: string): string {
  const hex = uuid.split('-').join('').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return hex.substring(16) + hex.substring(0, 16);
}

/** The inverse of uuidToWireHex: 32 hex digits of wire bytes back to canonical UUID text. */
export function wireHexToUuid(wireHex: string): string {
  const hex = wireHex.substring(16) + wireHex.substring(0, 16);
  const groups = [8, 4, 4, 4, 12];
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    parts.push(hex.substring(at, at + size));
    at += size;
  }
  return parts.join('-').toLowerCase();
}

/** `bytes` as lowercase hex, for readable assertions. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Lowercase hex (whitespace ignored) to bytes. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new RangeError('odd or non-hex input');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/**
 * Big-endian hex of `value` in `size` bytes. Negative values become two's complement, so
 * `-1n` in 8 bytes is ffffffffffffffff — a vector may hold what a real peer never would.
 */
function beHex(value: number | bigint, size: number): string {
  const wrapped = BigInt.asUintN(size * 8, BigInt(value));
  return wrapped.toString(16).padStart(size * 2, '0');
}

function messageTypeHex(messageType: string | Uint8Array, padding: 'space' | 'nul'): string {
  const text = Buffer.from(toBytes(messageType)).toString('hex');
  if (text.length > MESSAGE_TYPE_BYTES * 2) throw new RangeError('MessageType is over 32 bytes');
  const fill = padding === 'space' ? '20' : '00';
  return text + fill.repeat(MESSAGE_TYPE_BYTES - text.length / 2);
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'utf8')) : value;
}
