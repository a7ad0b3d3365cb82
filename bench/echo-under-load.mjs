// Keystroke echo while a bulk forward runs (DESIGN.md §6: p99 under load ≤ 2 × idle p99; ssh,
// which multiplexes its forward onto the shell's connection, is the reference). One run types
// into two paths in interleaved rounds, each round once idle and once while a bulk transfer
// runs: through OpenSSM, the shell session over TLS beside an `openssm forward` session to the
// same node (server and agent are their own processes); through ssh, one connection carrying
// both the shell and `-L`. The transfer runs in its own process (bench/lib/bulk-pump.mjs), and
// its throughput is printed too: a path that starved the bulk would look good for nothing.
//
// Usage: npm run bench:echo-load [-- --keys 600 --rounds 4]

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { measureEcho, percentile } from './lib/echo-measure.mjs';
import { gatewayTarget, sshTarget } from './lib/echo-targets.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const KEYS = option('keys', 600);
const ROUNDS = option('rounds', 4);
const WARMUP = 20;
const BUDGET = 2;
/** Time the transfer gets to reach its pace before keys are timed. */
const RAMP_MS = 1000;

/** The bulk-pump child: `port` is its sink; start(port) and stop() switch the transfer. */
async function startPump() {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'lib', 'bulk-pump.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value;
  const port = Number(await next());
  return {
    port,
    start: async (to) => {
      child.stdin.write(`start ${to}\n`);
      await new Promise((done) => setTimeout(done, RAMP_MS));
    },
    /** Stops the transfer and resolves with its MB/s. */
    stop: async () => {
      child.stdin.write('stop\n');
      return Number((await next()).replace('MBPS ', ''));
    },
    close: () => child.kill(),
  };
}

const pumps = { openssm: await startPump(), ssh: await startPump() };
const gateway = await gatewayTarget(true);
const paths = [
  {
    name: 'OpenSSM gateway, TLS',
    target: gateway,
    pump: pumps.openssm,
    bulkPort: await gateway.forward(pumps.openssm.port),
    budgeted: true,
  },
];
const ssh = await sshTarget({ forwardTo: pumps.ssh.port });
if (ssh === undefined) {
  console.log('ssh: skipped (no /usr/sbin/sshd: apt-get install openssh-server)');
} else {
  paths.push({
    name: 'ssh, forward on the same connection',
    target: ssh,
    pump: pumps.ssh,
    bulkPort: ssh.forwardPort,
  });
}

const perRound = Math.ceil(KEYS / ROUNDS);
for (const path of paths) {
  path.idle = [];
  path.loaded = [];
  path.bulk = [];
  await measureEcho(path.target, WARMUP);
}
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of paths) {
      path.idle.push(...(await measureEcho(path.target, perRound)));
      await path.pump.start(path.bulkPort);
      path.loaded.push(...(await measureEcho(path.target, perRound)));
      path.bulk.push(await path.pump.stop());
    }
  }
} finally {
  for (const path of paths) await path.target.close();
  for (const pump of Object.values(pumps)) pump.close();
}

const width = 38;
const us = (value) => `${value.toFixed(0).padStart(7)} µs`;
console.log(
  `keystroke → echo, ${perRound * ROUNDS} keys idle and as many under a bulk forward, ${ROUNDS} interleaved rounds`,
);
console.log(
  `${''.padEnd(width)} ${'idle p50'.padStart(10)} ${'idle p99'.padStart(10)} ${'load p50'.padStart(10)} ${'load p99'.padStart(10)}   p99 load/idle   bulk MB/s`,
);
for (const path of paths) {
  const idle99 = percentile(path.idle, 99);
  const load99 = percentile(path.loaded, 99);
  const ratio = load99 / idle99;
  const verdict = path.budgeted
    ? `  budget ≤ ×${BUDGET}: ${ratio <= BUDGET ? 'met' : 'NOT met'}`
    : '';
  const bulk = path.bulk.reduce((sum, value) => sum + value, 0) / path.bulk.length;
  console.log(
    `${path.name.padEnd(width)} ${us(percentile(path.idle, 50))} ${us(idle99)} ${us(percentile(path.loaded, 50))} ${us(load99)}   ×${ratio.toFixed(2).padEnd(12)} ${bulk.toFixed(0).padStart(6)}${verdict}`,
  );
}
process.exit(0);
