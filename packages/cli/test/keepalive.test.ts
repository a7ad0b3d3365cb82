// The client's keepalive notices a link that went silent without a reset (no pong, no data)
// and drops the socket so the session resumes, but leaves a quiet, answering link alone.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startKeepalive } from '../src/session/websocket-transport.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function connect(autoPong: boolean): Promise<WebSocket> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong });
  servers.push(server);
  await once(server, 'listening');
  const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await once(socket, 'open');
  return socket;
}

describe('startKeepalive', () => {
  it('drops a socket whose peer stopped answering', async () => {
    const socket = await connect(false);
    const started = Date.now();
    startKeepalive(socket, 50);
    await once(socket, 'close');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('keeps a quiet socket whose peer answers pings', async () => {
    const socket = await connect(true);
    const stop = startKeepalive(socket, 50);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(socket.readyState).toBe(WebSocket.OPEN);
    stop();
    socket.close();
  });
});
