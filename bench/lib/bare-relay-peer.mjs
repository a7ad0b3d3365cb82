// The two helper processes of the "bare relay" row of the echo benchmark: the same topology as
// OpenSSM (client → relay process → agent process → PTY) with nothing but `ws` on each hop — no
// framing, digests, acks, storage or policy. It is the floor our gateway is compared with.
//
//   node bare-relay-peer.mjs relay [--tls CERT KEY]   prints the port it listens on
//   node bare-relay-peer.mjs agent URL [CA]           a bash in a PTY behind one WebSocket

import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import pty from 'node-pty';
import WebSocket, { WebSocketServer } from 'ws';

const [role, ...args] = process.argv.slice(2);

if (role === 'relay') {
  const tls =
    args[0] === '--tls' ? { cert: readFileSync(args[1]), key: readFileSync(args[2]) } : undefined;
  const https = tls === undefined ? undefined : createHttpsServer(tls);
  const sockets = new WebSocketServer({
    ...(https === undefined ? { host: '127.0.0.1', port: 0 } : { server: https }),
    perMessageDeflate: false,
  });
  const ends = {};
  sockets.on('connection', (socket, request) => {
    socket._socket.setNoDelay(true);
    const side = request.url === '/agent' ? 'agent' : 'client';
    const other = side === 'agent' ? 'client' : 'agent';
    ends[side] = socket;
    socket.on('message', (data) => ends[other]?.send(data));
  });
  const announce = (address) => process.stdout.write(`${address.port}\n`);
  if (https === undefined) sockets.on('listening', () => announce(sockets.address()));
  else https.listen(0, '127.0.0.1', () => announce(https.address()));
} else if (role === 'agent') {
  const [url, caPath] = args;
  const socket = new WebSocket(url, {
    perMessageDeflate: false,
    ...(caPath === undefined ? {} : { ca: readFileSync(caPath) }),
  });
  const terminal = pty.spawn('bash', ['--norc', '--noprofile', '-i'], {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    env: { PATH: process.env.PATH, TERM: 'xterm-256color', PS1: '$ ' },
  });
  socket.on('open', () => process.stdout.write('ready\n'));
  socket.on('message', (data) => terminal.write(data.toString()));
  terminal.onData((data) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(data);
  });
  socket.on('close', () => process.exit(0));
} else {
  process.stderr.write('usage: bare-relay-peer.mjs relay [--tls CERT KEY] | agent URL [CA]\n');
  process.exit(2);
}
