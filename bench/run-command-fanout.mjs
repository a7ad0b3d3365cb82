// Run Command fan-out (DESIGN.md §6: 1,000 simulated agents running `echo`, all invocations
// Success in ≤ 3 s): the time from SendCommand to the command's Success, measured through the
// API as a client sees it, beside a baseline measured in the same run — the same fan-out
// through a bare loopback WebSocket server (one job message out, five replies back per node:
// what an agent sends for a one-step command) with no storage, no parsing and no scheduling.
// The simulated agents are real WebSocket control channels registered through the real API,
// with a light executor (testkit's SimulatedFleet); server and agents share this process.
//
// Usage: npm run bench:fanout [-- --nodes 1000 --rounds 3 --concurrency 100%]

import { SendCommandCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SimulatedFleet, startTestServer } from '@openssm/testkit';
import WebSocket, { WebSocketServer } from 'ws';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const NODES = Number(option('nodes', '1000'));
const ROUNDS = Number(option('rounds', '3'));
const CONCURRENCY = option('concurrency', '100%');
const BUDGET_MS = 3000;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function openssmRound(ssm, nodes) {
  const started = performance.now();
  const sent = await ssm.send(
    new SendCommandCommand({
      Targets: [{ Key: 'tag:bench', Values: ['fanout'] }],
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: ['echo hello'] },
      MaxConcurrency: CONCURRENCY,
    }),
  );
  const commandId = sent.Command.CommandId;
  for (;;) {
    const { Commands } = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));
    const command = Commands[0];
    if (command.Status === 'Success' && command.CompletedCount === nodes) break;
    if (['Failed', 'TimedOut', 'Cancelled'].includes(command.Status)) {
      throw new Error(`the command ended ${command.Status} (${command.StatusDetails})`);
    }
    // A client polling every 10 ms: the figure is accurate to that.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

/** The same fan-out with nothing but WebSockets: 1 message out, 5 back per node. */
async function baseline(nodes) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  const job = Buffer.alloc(1800, 'j'); // an agent_job with AWS-RunShellScript is ~1.8 KB
  const replies = [
    Buffer.alloc(300, 'a'),
    ...Array.from({ length: 4 }, () => Buffer.alloc(900, 'r')),
  ];
  const sockets = [];
  server.on('connection', (socket) => sockets.push(socket));
  const clients = [];
  for (let i = 0; i < nodes; i++) {
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    client.on('message', () => {
      for (const reply of replies) client.send(reply);
    });
    clients.push(new Promise((resolve) => client.once('open', () => resolve(client))));
  }
  const opened = await Promise.all(clients);
  while (sockets.length < nodes) await new Promise((resolve) => setTimeout(resolve, 5));
  const times = [];
  for (let round = 0; round < ROUNDS; round++) {
    let expected = nodes * replies.length;
    const done = new Promise((resolve) => {
      for (const socket of sockets) {
        socket.removeAllListeners('message');
        socket.on('message', () => {
          if (--expected === 0) resolve();
        });
      }
    });
    const started = performance.now();
    for (const socket of sockets) socket.send(job);
    await done;
    times.push(performance.now() - started);
  }
  for (const client of opened) client.terminate();
  await new Promise((resolve) => server.close(resolve));
  return times;
}

console.log(
  `Run Command fan-out: ${NODES} simulated agents, \`echo hello\`, MaxConcurrency ${CONCURRENCY}`,
);
const base = await baseline(NODES);

const setupStarted = performance.now();
const server = await startTestServer({ commandTickMs: 1000 });
const fleet = await SimulatedFleet.start(server, {
  count: NODES,
  tags: [{ Key: 'bench', Value: 'fanout' }],
  parallel: 64,
});
const ssm = new SSMClient({
  endpoint: server.url,
  region: server.region,
  credentials: server.adminCredentials,
});
console.log(
  `(${NODES} agents registered and connected in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s)`,
);
await openssmRound(ssm, NODES); // warm-up: JIT, caches, first writes
const times = [];
for (let round = 0; round < ROUNDS; round++) times.push(await openssmRound(ssm, NODES));
for (const agent of fleet.agents) agent.stop();
await fleet.close();
ssm.destroy();
await server.close();

const width = 46;
const row = (name, values) =>
  console.log(
    `${name.padEnd(width)} median ${median(values).toFixed(0).padStart(6)} ms   (${values.map((v) => v.toFixed(0)).join(', ')})`,
  );
row('bare WebSocket fan-out, 1 out / 5 back (floor)', base);
row('OpenSSM SendCommand → all Success', times);
const ratio = median(times) / median(base);
console.log(
  `ratio to the floor ×${ratio.toFixed(1)}; budget ≤ ${BUDGET_MS} ms: ${median(times) <= BUDGET_MS ? 'met' : 'NOT met'}`,
);
