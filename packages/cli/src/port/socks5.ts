// The server side of a SOCKS5 handshake (RFC 1928), enough for `curl --socks5-hostname`,
// browsers and ssh's DynamicForward clients: no authentication, CONNECT only, IPv4, IPv6 and
// domain-name addresses. The name is resolved on the managed node, which is the exit.

import type { Socket } from 'node:net';
import { StreamConnectStatus, type StreamDestination } from '@openssm/protocol';

const VERSION = 5;
const NO_AUTHENTICATION = 0;
const NO_ACCEPTABLE_METHOD = 0xff;
const CONNECT = 1;
const ATYP_IPV4 = 1;
const ATYP_DOMAIN = 3;
const ATYP_IPV6 = 4;

/** RFC 1928 §6 reply codes, from the agent's connect status. */
export const SocksReply = {
  Succeeded: 0,
  GeneralFailure: 1,
  NotAllowed: 2,
  HostUnreachable: 4,
  ConnectionRefused: 5,
  CommandNotSupported: 7,
  AddressTypeNotSupported: 8,
} as const;

export function socksReplyFor(status: number): number {
  switch (status) {
    case StreamConnectStatus.Connected:
      return SocksReply.Succeeded;
    case StreamConnectStatus.Denied:
      return SocksReply.NotAllowed;
    case StreamConnectStatus.ResolveFailed:
      return SocksReply.HostUnreachable;
    case StreamConnectStatus.ConnectFailed:
      return SocksReply.ConnectionRefused;
    default:
      return SocksReply.GeneralFailure;
  }
}

export class SocksError extends Error {
  override readonly name = 'SocksError';
}

/**
 * Reads the greeting and the CONNECT request from `socket` (paused afterwards, any bytes after
 * the request handed back as `rest`). Rejects with SocksError after answering what it refuses.
 */
export function readSocksRequest(
  socket: Socket,
): Promise<{ destination: StreamDestination; rest: Uint8Array }> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'request' = 'greeting';
    const fail = (message: string, reply?: Uint8Array): void => {
      socket.off('data', onData);
      if (reply !== undefined) socket.end(reply);
      else socket.destroy();
      reject(new SocksError(message));
    };
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > 600) return fail('the SOCKS handshake is too long');
      if (stage === 'greeting') {
        if (buffer.length < 2) return;
        if (buffer[0] !== VERSION) return fail(`SOCKS version ${buffer[0]} is not 5`);
        const count = buffer[1]!;
        if (buffer.length < 2 + count) return;
        const methods = buffer.subarray(2, 2 + count);
        if (!methods.includes(NO_AUTHENTICATION)) {
          return fail(
            'the SOCKS client wants authentication',
            Uint8Array.of(VERSION, NO_ACCEPTABLE_METHOD),
          );
        }
        socket.write(Uint8Array.of(VERSION, NO_AUTHENTICATION));
        buffer = buffer.subarray(2 + count);
        stage = 'request';
      }
      if (buffer.length < 5) return;
      if (buffer[0] !== VERSION) return fail('bad SOCKS request');
      if (buffer[1] !== CONNECT) {
        return fail('only SOCKS CONNECT is supported', replyBytes(SocksReply.CommandNotSupported));
      }
      const type = buffer[3];
      let host: string;
      let at: number;
      if (type === ATYP_IPV4) {
        if (buffer.length < 10) return;
        host = [...buffer.subarray(4, 8)].join('.');
        at = 8;
      } else if (type === ATYP_IPV6) {
        if (buffer.length < 22) return;
        const words: string[] = [];
        for (let i = 0; i < 8; i++) words.push(buffer.readUInt16BE(4 + i * 2).toString(16));
        host = words.join(':');
        at = 20;
      } else if (type === ATYP_DOMAIN) {
        const length = buffer[4]!;
        if (buffer.length < 5 + length + 2) return;
        host = buffer.subarray(5, 5 + length).toString('latin1');
        at = 5 + length;
      } else {
        return fail('unknown SOCKS address type', replyBytes(SocksReply.AddressTypeNotSupported));
      }
      const port = buffer.readUInt16BE(at);
      socket.off('data', onData);
      socket.pause();
      resolve({ destination: { host, port }, rest: buffer.subarray(at + 2) });
    };
    socket.on('data', onData);
    socket.once('error', (error) => reject(new SocksError(error.message)));
  });
}

/** A reply with an all-zero bound address (clients ignore it for CONNECT). */
export function replyBytes(code: number): Uint8Array {
  return Uint8Array.of(VERSION, code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0);
}
