// pipeStreamToSocket with an in-memory socket: bytes both ways and counted, the socket paused
// until the channel takes each chunk, half-closes passed on, the socket's unwritten bytes
// counted as the stream's backlog, and a failed socket or channel ending the pipe once.

import { describe, expect, it } from 'vitest';
import { SmuxSession, type SmuxStream } from '../src/smux-session.js';
import { pipeStreamToSocket, type PipeStats, type SocketLike } from '../src/stream-pipe.js';

class MemorySocket implements SocketLike {
  readonly written: Uint8Array[] = [];
  paused = false;
  endedByPipe = false;
  destroyed = false;
  writableLength = 0;
  private readonly listeners = new Map<string, ((...args: never[]) => void)[]>();

  write(data: Uint8Array): boolean {
    this.written.push(data);
    return true;
  }
  end(): void {
    this.endedByPipe = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  on(event: string, listener: (...args: never[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      (listener as (...values: unknown[]) => void)(...args);
    }
  }
}

/** A client session whose frames reach a server session only when `flush` is called. */
function link(options: { failSends?: boolean } = {}) {
  const held: { bytes: Uint8Array; taken: () => void }[] = [];
  const accepted: SmuxStream[] = [];
  const server = new SmuxSession({
    role: 'server',
    send: (bytes) => {
      client.receive(bytes);
      return Promise.resolve();
    },
    maxFrameData: () => 1024,
    onStream: (stream) => accepted.push(stream),
  });
  const client: SmuxSession = new SmuxSession({
    role: 'client',
    send: (bytes) =>
      options.failSends === true
        ? Promise.reject(new Error('channel closed'))
        : new Promise<void>((taken) => held.push({ bytes, taken })),
    maxFrameData: () => 1024,
  });
  const flush = async (): Promise<void> => {
    for (const { bytes, taken } of held.splice(0)) {
      server.receive(bytes);
      taken();
    }
    await Promise.resolve();
    await Promise.resolve();
  };
  return { client, server, accepted, flush };
}

function received(stream: SmuxStream) {
  const state = { text: '', ended: false };
  stream.attach({
    onData: (data) => (state.text += Buffer.from(data).toString()),
    onEnd: () => (state.ended = true),
    onClose: () => undefined,
  });
  return state;
}

describe('pipeStreamToSocket', () => {
  it('sends socket bytes into the stream, pausing the socket until the channel takes them', async () => {
    const { client, accepted, flush } = link();
    const socket = new MemorySocket();
    const stats = pipeStreamToSocket(client.open(), socket);
    await flush();
    const peer = received(accepted[0]!);
    socket.emit('data', Buffer.from('hello'));
    expect(socket.paused).toBe(true);
    expect(peer.text).toBe('');
    await flush();
    expect(peer.text).toBe('hello');
    expect(socket.paused).toBe(false);
    expect(stats.bytesFromSocket).toBe(5);
    socket.emit('end');
    await flush();
    expect(peer.ended).toBe(true);
  });

  it('writes stream bytes to the socket, ends it on FIN and counts its backlog', async () => {
    const { client, server, accepted, flush } = link();
    const socket = new MemorySocket();
    let closed: PipeStats | undefined;
    const stats = pipeStreamToSocket(client.open(), socket, { onClosed: (s) => (closed = s) });
    await flush();
    await accepted[0]!.write(Buffer.from('reply'));
    expect(Buffer.concat(socket.written).toString()).toBe('reply');
    expect(stats.bytesToSocket).toBe(5);
    socket.writableLength = 4096;
    expect(client.backlogBytes).toBe(4096);
    expect(server.backlogBytes).toBe(0);
    accepted[0]!.end();
    expect(socket.endedByPipe).toBe(true);
    expect(closed).toBeUndefined();
    socket.emit('end');
    await flush();
    expect(socket.destroyed).toBe(true);
    expect(closed).toEqual({ bytesFromSocket: 0, bytesToSocket: 5 });
  });

  it('with defer, corks the socket for the writes of one turn and uncorks it once', async () => {
    const { client, accepted, flush } = link();
    const socket = new MemorySocket();
    const calls: string[] = [];
    Object.assign(socket, {
      cork: () => calls.push('cork'),
      uncork: () => calls.push('uncork'),
    });
    const deferred: (() => void)[] = [];
    pipeStreamToSocket(client.open(), socket, { defer: (callback) => deferred.push(callback) });
    await flush();
    await accepted[0]!.write(Buffer.from('a'.repeat(3000)));
    expect(socket.written).toHaveLength(3);
    expect(calls).toEqual(['cork']);
    for (const callback of deferred.splice(0)) callback();
    expect(calls).toEqual(['cork', 'uncork']);
    await accepted[0]!.write(Buffer.from('b'));
    expect(calls).toEqual(['cork', 'uncork', 'cork']);
  });

  it('a socket error ends the stream and is reported once, with the error', async () => {
    const { client, accepted, flush } = link();
    const socket = new MemorySocket();
    const reports: (Error | undefined)[] = [];
    pipeStreamToSocket(client.open(), socket, { onClosed: (_stats, error) => reports.push(error) });
    await flush();
    const peer = received(accepted[0]!);
    socket.emit('error', new Error('ECONNRESET'));
    socket.emit('close');
    client.close();
    await flush();
    expect(peer.ended).toBe(true);
    expect(reports.map((error) => error?.message)).toEqual(['ECONNRESET']);
  });

  it('a channel that cannot take the data destroys the socket', async () => {
    const { client } = link({ failSends: true });
    const socket = new MemorySocket();
    pipeStreamToSocket(client.open(), socket);
    socket.emit('data', Buffer.from('lost'));
    await Promise.resolve();
    await Promise.resolve();
    expect(socket.destroyed).toBe(true);
    expect(socket.paused).toBe(true);
  });
});
