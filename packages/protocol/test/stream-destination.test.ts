// The destination header of a multi-port forwarding stream and the agent's reply
// (docs/decisions/0009): byte layout, partial input, and every malformed field refused with
// StreamDestinationInvalid.

import { describe, expect, it } from 'vitest';
import {
  CodedError,
  StreamConnectStatus,
  decodeStreamConnectReply,
  decodeStreamDestination,
  encodeStreamConnectReply,
  encodeStreamDestination,
} from '../src/index.js';

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CodedError);
    expect((error as CodedError).code).toBe('StreamDestinationInvalid');
    return (error as Error).message;
  }
  throw new Error('expected StreamDestinationInvalid');
}

describe('stream destination', () => {
  it('encodes version, host length, host and port big-endian', () => {
    const bytes = encodeStreamDestination({ host: 'db', port: 5432 });
    expect([...bytes]).toEqual([1, 0, 2, 0x64, 0x62, 0x15, 0x38]);
  });

  it('decodes only once the whole header is there, and says how long it was', () => {
    const bytes = Uint8Array.from([
      ...encodeStreamDestination({ host: '::1', port: 22 }),
      0xaa, // stream data after the header
    ]);
    for (let cut = 0; cut < 8; cut++) {
      expect(decodeStreamDestination(bytes.subarray(0, cut))).toBeUndefined();
    }
    expect(decodeStreamDestination(bytes)).toEqual({
      destination: { host: '::1', port: 22 },
      length: 8,
    });
  });

  it('refuses bad hosts, ports, versions and lengths', () => {
    expect(refusal(() => encodeStreamDestination({ host: '', port: 80 }))).toMatch(/host/);
    expect(refusal(() => encodeStreamDestination({ host: 'a b', port: 80 }))).toMatch(/host/);
    expect(refusal(() => encodeStreamDestination({ host: 'x'.repeat(254), port: 80 }))).toMatch(
      /host/,
    );
    expect(refusal(() => encodeStreamDestination({ host: 'web', port: 0 }))).toMatch(/port 0/);
    expect(refusal(() => encodeStreamDestination({ host: 'web', port: 1.5 }))).toMatch(/port/);
    expect(refusal(() => decodeStreamDestination(Uint8Array.from([2, 0, 1])))).toMatch(/version 2/);
    expect(refusal(() => decodeStreamDestination(Uint8Array.from([1, 0, 0])))).toMatch(/length 0/);
    expect(refusal(() => decodeStreamDestination(Uint8Array.from([1, 0xff, 0xff])))).toMatch(
      /length 65535/,
    );
    expect(refusal(() => decodeStreamDestination(Uint8Array.from([1, 0, 1, 0xff, 0, 80])))).toMatch(
      /UTF-8/,
    );
    expect(refusal(() => decodeStreamDestination(Uint8Array.from([1, 0, 1, 0x61, 0, 0])))).toMatch(
      /port 0/,
    );
  });
});

describe('stream connect reply', () => {
  it('round-trips status and message, waiting for the whole reply', () => {
    const bytes = encodeStreamConnectReply({
      status: StreamConnectStatus.Denied,
      message: '169.254.169.254 is on the deny list',
    });
    expect(decodeStreamConnectReply(bytes.subarray(0, 2))).toBeUndefined();
    expect(decodeStreamConnectReply(bytes.subarray(0, 10))).toBeUndefined();
    expect(decodeStreamConnectReply(bytes)).toEqual({
      reply: { status: StreamConnectStatus.Denied, message: '169.254.169.254 is on the deny list' },
      length: bytes.length,
    });
  });

  it('cuts a long message to 1,024 bytes between characters, never inside one', () => {
    const bytes = encodeStreamConnectReply({
      status: StreamConnectStatus.ConnectFailed,
      message: `x${'é'.repeat(600)}`,
    });
    const decoded = decodeStreamConnectReply(bytes)!;
    expect(decoded.reply.message).toBe(`x${'é'.repeat(511)}`);
    expect(decoded.length).toBe(3 + 1 + 511 * 2);
  });

  it('refuses unknown statuses and overlong messages; shows a non-UTF-8 message as such', () => {
    expect(refusal(() => decodeStreamConnectReply(Uint8Array.from([9, 0, 0])))).toMatch(/status 9/);
    expect(refusal(() => decodeStreamConnectReply(Uint8Array.from([3, 0x04, 0x01])))).toMatch(
      /too long/,
    );
    expect(decodeStreamConnectReply(Uint8Array.from([3, 0, 1, 0xff]))?.reply.message).toBe(
      '(not UTF-8)',
    );
  });
});
