// A bulk transfer the echo-under-load benchmark switches on and off, in its own process so that
// pumping bytes never shares an event loop with the keystrokes being timed. It listens as the
// sink (its port is the first stdout line) and, told over stdin, sends to a port as fast as the
// path takes it:
//   start PORT   connect to 127.0.0.1:PORT and write until told to stop
//   stop         close that connection; once the sink has read everything, print "MBPS n"
// A transfer never outlives MAX_SECONDS, so a forgotten pump cannot run on.

import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';

const MAX_SECONDS = 120;
const CHUNK = Buffer.alloc(256 * 1024, 0x5a);

let received = 0;
let finishedReading;
const sink = createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('data', (chunk) => (received += chunk.length));
  socket.on('end', () => {
    socket.end();
    finishedReading?.();
  });
  socket.on('error', () => undefined);
});
sink.listen(0, '127.0.0.1', () => console.log(String(sink.address().port)));

let transfer;

function start(port) {
  received = 0;
  const socket = connect({ host: '127.0.0.1', port });
  const startedAt = performance.now();
  let stopped = false;
  const pump = () => {
    while (!stopped && socket.write(CHUNK));
  };
  socket.on('connect', pump);
  socket.on('drain', pump);
  socket.on('error', (error) => console.error(`bulk pump: ${error.message}`));
  const stop = async () => {
    stopped = true;
    const read = new Promise((done) => (finishedReading = done));
    socket.end();
    await Promise.race([read, new Promise((done) => setTimeout(done, 10_000))]);
    const seconds = (performance.now() - startedAt) / 1000;
    console.log(`MBPS ${(received / 1e6 / seconds).toFixed(1)}`);
  };
  const limit = setTimeout(() => void stop(), MAX_SECONDS * 1000);
  transfer = { stop: () => (clearTimeout(limit), stop()) };
}

for await (const line of createInterface({ input: process.stdin })) {
  const [verb, argument] = line.trim().split(' ');
  if (verb === 'start') start(Number(argument));
  else if (verb === 'stop') await transfer?.stop();
}
process.exit(0);
