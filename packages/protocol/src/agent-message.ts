// Encode and decode the binary AgentMessage that every channel carries (ssm-wire §4.2), byte-exact
// with AWS's session-manager-plugin and amazon-ssm-agent. Decoding checks every length before
// reading, never copies the payload (it is a view into the input) and throws only CodedError.

import {
  DEFAULT_MAX_PAYLOAD_LENGTH,
  FIELD,
  HEADER_LENGTH,
  PAYLOAD_OFFSET,
} from './agent-message-layout.js';
import { CodedError } from './errors.js';
import { MessageType } from './message-types.js';
import { encodeUtf8 } from './text.js';
import { readSwappedUuid, writeSwappedUuid } from './uuid.js';

/** SHA-256, injected so the package stays platform-free (node:crypto, WebCrypto-free JS, ...). */
export type Sha256 = (data: Uint8Array) => Uint8Array;

export interface AgentMessage {
  readonly messageType: string;
  readonly schemaVersion: number;
  /** Unix epoch milliseconds; never 0 (both AWS endpoints reject 0). */
  readonly createdDate: number;
  readonly sequenceNumber: number;
  readonly flags: number;
  /** Canonical lowercase UUID text. */
  readonly messageId: string;
  readonly payloadType: number;
  readonly payload: Uint8Array;
}

export interface DecodedAgentMessage extends AgentMessage {
  readonly headerLength: number;
  readonly payloadDigest: Uint8Array;
}

export interface DecodeOptions {
  /** Largest payload accepted, checked before the payload is touched. Default 1 MiB. */
  readonly maxPayloadLength?: number;
  /**
   * When given, the payload digest is verified as the plugin does (non-empty payloads, except
   * start/pause_publication). The agent does not verify; omit it for the agent's behaviour.
   */
  readonly verifyDigestWith?: Sha256;
}

const MESSAGE_TYPE_LENGTH = FIELD.messageType.length;
const SPACE = 0x20;

/** Serialises `message`; throws on values no peer could accept (programmer mistakes). */
export function encodeAgentMessage(message: AgentMessage, sha256: Sha256): Uint8Array {
  const typeBytes = encodeUtf8(message.messageType);
  if (!isValidMessageTypeText(message.messageType) || typeBytes.length > MESSAGE_TYPE_LENGTH) {
    throw new RangeError(`invalid MessageType ${JSON.stringify(message.messageType)}`);
  }
  assertUint(message.schemaVersion, 0xffff_ffff, 'schemaVersion');
  assertUint(message.createdDate, Number.MAX_SAFE_INTEGER, 'createdDate');
  if (message.createdDate === 0) throw new RangeError('createdDate must not be 0');
  assertUint(message.sequenceNumber, Number.MAX_SAFE_INTEGER, 'sequenceNumber');
  assertUint(message.flags, Number.MAX_SAFE_INTEGER, 'flags');
  assertUint(message.payloadType, 0xffff_ffff, 'payloadType');

  const payload = message.payload;
  const bytes = new Uint8Array(PAYLOAD_OFFSET + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(FIELD.headerLength.offset, HEADER_LENGTH);
  bytes.fill(SPACE, FIELD.messageType.offset, FIELD.messageType.offset + MESSAGE_TYPE_LENGTH);
  bytes.set(typeBytes, FIELD.messageType.offset);
  view.setUint32(FIELD.schemaVersion.offset, message.schemaVersion);
  view.setBigUint64(FIELD.createdDate.offset, BigInt(message.createdDate));
  view.setBigInt64(FIELD.sequenceNumber.offset, BigInt(message.sequenceNumber));
  view.setBigUint64(FIELD.flags.offset, BigInt(message.flags));
  writeSwappedUuid(message.messageId, bytes, FIELD.messageId.offset);
  const digest = sha256(payload);
  if (digest.length !== FIELD.payloadDigest.length) {
    throw new RangeError(`sha256 returned ${digest.length} bytes`);
  }
  bytes.set(digest, FIELD.payloadDigest.offset);
  view.setUint32(FIELD.payloadType.offset, message.payloadType);
  view.setUint32(FIELD.payloadLength.offset, payload.length);
  bytes.set(payload, PAYLOAD_OFFSET);
  return bytes;
}

/** Parses one AgentMessage from one WebSocket message's bytes. */
export function decodeAgentMessage(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): DecodedAgentMessage {
  const maxPayloadLength = options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH;
  if (bytes.length < PAYLOAD_OFFSET) {
    throw new CodedError(
      'FrameTruncated',
      `message is ${bytes.length} bytes; the header alone is ${PAYLOAD_OFFSET}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(FIELD.headerLength.offset);
  // The readers locate the payload at HeaderLength + 4 but read PayloadLength at a fixed offset,
  // so a HeaderLength below 116 would overlap the header; a larger one leaves room for fields a
  // later schema may add, which we skip.
  if (headerLength < HEADER_LENGTH || headerLength + 4 > bytes.length) {
    throw new CodedError('FrameHeaderInvalid', `HeaderLength ${headerLength} is invalid`);
  }
  const payloadLength = view.getUint32(FIELD.payloadLength.offset);
  if (payloadLength > maxPayloadLength) {
    throw new CodedError(
      'FramePayloadTooLarge',
      `PayloadLength ${payloadLength} exceeds the limit of ${maxPayloadLength}`,
    );
  }
  const payloadStart = headerLength + 4;
  if (bytes.length - payloadStart !== payloadLength) {
    throw new CodedError(
      'FramePayloadLengthMismatch',
      `PayloadLength ${payloadLength} but ${bytes.length - payloadStart} bytes follow the header`,
    );
  }

  const messageType = readMessageType(bytes);
  const createdDate = readSafeInteger(view, FIELD.createdDate.offset, 'CreatedDate', false);
  if (createdDate === 0) {
    throw new CodedError('FrameCreatedDateMissing', 'CreatedDate is 0');
  }
  const payload = bytes.subarray(payloadStart, payloadStart + payloadLength);
  const payloadDigest = bytes.subarray(
    FIELD.payloadDigest.offset,
    FIELD.payloadDigest.offset + FIELD.payloadDigest.length,
  );
  const sha256 = options.verifyDigestWith;
  if (sha256 !== undefined && payloadLength !== 0 && !skipsValidation(messageType)) {
    if (!bytesEqual(sha256(payload), payloadDigest)) {
      throw new CodedError('FrameDigestMismatch', `payload digest of ${messageType} is wrong`);
    }
  }
  return {
    headerLength,
    messageType,
    schemaVersion: view.getUint32(FIELD.schemaVersion.offset),
    createdDate,
    sequenceNumber: readSafeInteger(view, FIELD.sequenceNumber.offset, 'SequenceNumber', true),
    flags: readSafeInteger(view, FIELD.flags.offset, 'Flags', false),
    messageId: readSwappedUuid(bytes, FIELD.messageId.offset),
    payloadDigest,
    payloadType: view.getUint32(FIELD.payloadType.offset),
    payload,
  };
}

/** True when `text` can be a MessageType: 1-32 printable ASCII characters, no spaces. */
export function isValidMessageTypeText(text: string): boolean {
  return /^[\x21-\x7e]{1,32}$/.test(text);
}

function readMessageType(bytes: Uint8Array): string {
  const start = FIELD.messageType.offset;
  let end = start + MESSAGE_TYPE_LENGTH;
  let begin = start;
  // Writers pad with spaces; readers strip NULs and surrounding whitespace (§4.2).
  while (end > begin && isPadding(bytes[end - 1] ?? 0)) end--;
  while (begin < end && isPadding(bytes[begin] ?? 0)) begin++;
  let text = '';
  for (let i = begin; i < end; i++) {
    text += String.fromCharCode(bytes[i] ?? 0);
  }
  if (!isValidMessageTypeText(text)) {
    throw new CodedError(
      'FrameMessageTypeInvalid',
      `MessageType ${JSON.stringify(text)} is invalid`,
    );
  }
  return text;
}

function isPadding(byte: number): boolean {
  return byte === 0 || byte === SPACE || (byte >= 0x09 && byte <= 0x0d);
}

function readSafeInteger(view: DataView, offset: number, name: string, signed: boolean): number {
  const value = signed ? view.getBigInt64(offset) : view.getBigUint64(offset);
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CodedError('FrameFieldOutOfRange', `${name} ${value} is out of range`);
  }
  return Number(value);
}

function skipsValidation(messageType: string): boolean {
  return (
    messageType === MessageType.StartPublication || messageType === MessageType.PausePublication
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

function assertUint(value: number, max: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} ${value} is out of range`);
  }
}
