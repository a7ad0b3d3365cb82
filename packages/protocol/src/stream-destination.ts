// The first bytes of each smux stream in an OpenSSM multi-port forwarding session
// (docs/decisions/0009): the client says where the stream goes, the agent answers whether it
// got there. AWS's port documents fix one destination per session; this lets one session carry
// many forwards (and SOCKS), each stream naming its own host and port.
//
// Request (client → agent), before any stream data:
//   u8 version = 1 | u16 BE host length (1–253) | host (ASCII) | u16 BE port (1–65535)
// Reply (agent → client), before any stream data:
//   u8 status | u16 BE message length (0–1024) | message (UTF-8)
// A status other than Connected is followed by FIN: the stream carries nothing else.

import { CodedError } from './errors.js';
import { decodeUtf8Strict, encodeUtf8 } from './text.js';

export const STREAM_DESTINATION_VERSION = 1;
/** A DNS name is at most 253 characters; IPv6 literals are far shorter. */
export const STREAM_DESTINATION_MAX_HOST_LENGTH = 253;
export const STREAM_REPLY_MAX_MESSAGE_LENGTH = 1024;

export const StreamConnectStatus = {
  Connected: 0,
  /** The agent's deny list refuses the destination (link-local, cloud metadata, configured). */
  Denied: 1,
  /** The host name did not resolve on the node. */
  ResolveFailed: 2,
  /** The connection was refused, timed out or failed otherwise. */
  ConnectFailed: 3,
  /** The request itself was malformed. */
  Invalid: 4,
} as const;
export type StreamConnectStatus = (typeof StreamConnectStatus)[keyof typeof StreamConnectStatus];

export interface StreamDestination {
  readonly host: string;
  readonly port: number;
}

export interface StreamConnectReply {
  readonly status: StreamConnectStatus;
  readonly message: string;
}

/** Host names and IP literals: what DNS and address parsers take; no spaces or controls. */
const HOST_PATTERN = /^[A-Za-z0-9._:%[\]-]+$/;

function invalid(message: string): CodedError {
  return new CodedError('StreamDestinationInvalid', message);
}

export function validateStreamDestination(destination: StreamDestination): void {
  const { host, port } = destination;
  if (
    host.length === 0 ||
    host.length > STREAM_DESTINATION_MAX_HOST_LENGTH ||
    !HOST_PATTERN.test(host)
  ) {
    throw invalid(`host ${JSON.stringify(host.slice(0, 64))} is not a host name or address`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(`port ${String(port)} is not in 1–65535`);
  }
}

export function encodeStreamDestination(destination: StreamDestination): Uint8Array {
  validateStreamDestination(destination);
  const host = encodeUtf8(destination.host);
  const bytes = new Uint8Array(1 + 2 + host.length + 2);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, STREAM_DESTINATION_VERSION);
  view.setUint16(1, host.length);
  bytes.set(host, 3);
  view.setUint16(3 + host.length, destination.port);
  return bytes;
}

/**
 * Reads a destination from the start of `bytes`. Returns undefined while more bytes are
 * needed, else the destination and how many bytes it took; throws StreamDestinationInvalid.
 */
export function decodeStreamDestination(
  bytes: Uint8Array,
): { readonly destination: StreamDestination; readonly length: number } | undefined {
  if (bytes.length < 3) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== STREAM_DESTINATION_VERSION) {
    throw invalid(`stream destination version ${version}; expected 1`);
  }
  const hostLength = view.getUint16(1);
  if (hostLength === 0 || hostLength > STREAM_DESTINATION_MAX_HOST_LENGTH) {
    throw invalid(`stream destination host length ${hostLength} is not in 1–253`);
  }
  const length = 3 + hostLength + 2;
  if (bytes.length < length) return undefined;
  const host = decodeUtf8Strict(bytes.subarray(3, 3 + hostLength));
  if (host === undefined) throw invalid('stream destination host is not UTF-8');
  const destination = { host, port: view.getUint16(3 + hostLength) };
  validateStreamDestination(destination);
  return { destination, length };
}

export function encodeStreamConnectReply(reply: StreamConnectReply): Uint8Array {
  const message = truncateUtf8(encodeUtf8(reply.message), STREAM_REPLY_MAX_MESSAGE_LENGTH);
  const bytes = new Uint8Array(3 + message.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, reply.status);
  view.setUint16(1, message.length);
  bytes.set(message, 3);
  return bytes;
}

/** At most `max` bytes, cut before a character rather than inside one. */
function truncateUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  // 0b10xxxxxx is a continuation byte: the character started earlier.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** Like decodeStreamDestination, for the agent's reply. */
export function decodeStreamConnectReply(
  bytes: Uint8Array,
): { readonly reply: StreamConnectReply; readonly length: number } | undefined {
  if (bytes.length < 3) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const status = view.getUint8(0);
  if (status > StreamConnectStatus.Invalid) throw invalid(`unknown connect status ${status}`);
  const messageLength = view.getUint16(1);
  if (messageLength > STREAM_REPLY_MAX_MESSAGE_LENGTH) {
    throw invalid(`connect reply message of ${messageLength} bytes is too long`);
  }
  const length = 3 + messageLength;
  if (bytes.length < length) return undefined;
  // A reply is for people to read; a malformed one still ends the stream with its status.
  const message = decodeUtf8Strict(bytes.subarray(3, length)) ?? '(not UTF-8)';
  return { reply: { status: status as StreamConnectStatus, message }, length };
}
