import { SmuxCommand, SmuxDecoder, encodeSmuxFrame, type SmuxFrame } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import { SmuxSession, type SmuxStream } from '../src/smux-session.js';

/** Two sessions joined back to back, each direction recorded as frames. */
function pair(maxFrameData = 1016) {
  const sent: { client: SmuxFrame[]; server: SmuxFrame[] } = { client: [], server: [] };
  const accepted: SmuxStream[] = [];
  const decoders = {
    client: new SmuxDecoder((frame) => sent.client.push(frame)),
    server: new SmuxDecoder((frame) => sent.server.push(frame)),
  };
  // eslint-disable-next-line prefer-const
  let server: SmuxSession;
  const client = new SmuxSession({
    role: 'client',
    send: (bytes) => {
      decoders.client.push(bytes);
      server.receive(bytes);
      return Promise.resolve();
    },
    maxFrameData: () => maxFrameData,
  });
  server = new SmuxSession({
    role: 'server',
    send: (bytes) => {
      decoders.server.push(bytes);
      client.receive(bytes);
      return Promise.resolve();
    },
    maxFrameData: () => maxFrameData,
    onStream: (stream) => accepted.push(stream),
  });
  return { client, server, sent, accepted };
}

function collect(stream: SmuxStream) {
  const state = { data: Buffer.alloc(0), ended: false, closed: false };
  stream.attach({
    onData: (data) => (state.data = Buffer.concat([state.data, data])),
    onEnd: () => (state.ended = true),
    onClose: () => (state.closed = true),
  });
  return state;
}

describe('SmuxSession', () => {
  it('numbers client streams 3, 5, 7 as AWS’s plugin and frames data at the limit', async () => {
    const { client, sent, accepted } = pair(1016);
    const streams = [client.open(), client.open(), client.open()];
    expect(streams.map((stream) => stream.id)).toEqual([3, 5, 7]);
    expect(accepted.map((stream) => stream.id)).toEqual([3, 5, 7]);
    await streams[0]!.write(new Uint8Array(2500).fill(7));
    const pushes = sent.client.filter((frame) => frame.command === SmuxCommand.Psh);
    expect(pushes.map((frame) => frame.data.length)).toEqual([1016, 1016, 468]);
    expect(pushes.every((frame) => frame.streamId === 3)).toBe(true);
  });

  it('keeps data of concurrent streams apart and delivers what came before attach', async () => {
    const { client, accepted } = pair(100);
    const a = client.open();
    const b = client.open();
    await a.write(Buffer.from('a'.repeat(250)));
    await b.write(Buffer.from('b'.repeat(250)));
    await a.write(Buffer.from('A'));
    const [serverA, serverB] = accepted.map(collect);
    expect(serverA!.data.toString()).toBe(`${'a'.repeat(250)}A`);
    expect(serverB!.data.toString()).toBe('b'.repeat(250));
  });

  it('treats FIN as a half-close: the stream closes when both sides ended', async () => {
    const { client, accepted } = pair();
    const stream = client.open();
    const clientSide = collect(stream);
    const serverSide = collect(accepted[0]!);
    stream.end();
    expect(serverSide.ended).toBe(true);
    expect(serverSide.closed).toBe(false);
    await accepted[0]!.write(Buffer.from('late reply'));
    expect(clientSide.data.toString()).toBe('late reply');
    accepted[0]!.end();
    expect(clientSide.closed && serverSide.closed).toBe(true);
    expect(client.streamCount).toBe(0);
  });

  it('ignores NOPs and data for unknown streams, and rejects frames that are not smux v1', () => {
    const { server } = pair();
    server.receive(encodeSmuxFrame({ command: SmuxCommand.Nop, streamId: 0 }));
    server.receive(
      encodeSmuxFrame({ command: SmuxCommand.Psh, streamId: 41, data: Uint8Array.of(1) }),
    );
    expect(server.streamCount).toBe(0);
    expect(() => server.receive(Uint8Array.of(2, 0, 0, 0, 3, 0, 0, 0))).toThrow(/version 2/);
  });

  it('counts unconsumed bytes as backlog and closes every stream with the session', () => {
    const { client, server, accepted } = pair();
    const stream = client.open();
    void stream.write(new Uint8Array(3000));
    expect(server.backlogBytes).toBe(3000); // not attached yet: held by the stream
    let pending = 1234;
    const state = { closed: false };
    accepted[0]!.attach(
      { onData: () => undefined, onEnd: () => undefined, onClose: () => (state.closed = true) },
      () => pending,
    );
    expect(server.backlogBytes).toBe(1234);
    pending = 0;
    server.close();
    expect(state.closed).toBe(true);
    expect(server.backlogBytes).toBe(0);
  });
});
