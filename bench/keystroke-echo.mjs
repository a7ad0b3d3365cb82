// Keystroke → echo round trip through OpenSSM beside its baselines, measured in one run
// (DESIGN.md §6): bash in a local PTY, ssh to a private sshd on loopback (the budget's
// reference), a bare `ws` relay with OpenSSM's topology (the floor of the design: what three
// processes and four WebSocket hops cost before any of our code), and OpenSSM over TLS and plain
// WebSockets. Every path is opened once and typed into in interleaved rounds, so a machine that
// gets busier halfway through weighs on every row alike.
//
// Usage: npm run bench:echo [-- --keys 300 --rounds 5]

import { measureEcho, percentile } from './lib/echo-measure.mjs';
import { bareRelayTarget, directTarget, gatewayTarget, sshTarget } from './lib/echo-targets.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const KEYS = option('keys', 300);
const ROUNDS = option('rounds', 5);
const WARMUP = 20;
const BUDGET = 1.5;

const paths = [
  { name: 'direct PTY (no network)', open: directTarget },
  { name: 'ssh to a local sshd (reference)', open: sshTarget },
  { name: 'bare ws relay, TLS (floor)', open: () => bareRelayTarget(true) },
  { name: 'OpenSSM gateway, TLS', open: () => gatewayTarget(true), budgeted: true },
  { name: 'bare ws relay, plain (floor)', open: () => bareRelayTarget(false) },
  { name: 'OpenSSM gateway, plain WS', open: () => gatewayTarget(false) },
];

const perRound = Math.ceil(KEYS / ROUNDS);
for (const path of paths) {
  path.target = await path.open();
  path.samples = [];
  path.cpu = { server: 0, agent: 0 };
  if (path.target !== undefined) await measureEcho(path.target, WARMUP);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const path of paths) {
    if (path.target === undefined) continue;
    const before = await path.target.cpu?.();
    path.samples.push(...(await measureEcho(path.target, perRound)));
    const after = await path.target.cpu?.();
    if (before !== undefined) {
      path.cpu.server += after.server - before.server;
      path.cpu.agent += after.agent - before.agent;
    }
  }
}
for (const path of paths) await path.target?.close();

const ssh = paths[1];
const width = 34;
console.log(`keystroke → echo, ${perRound * ROUNDS} keys per path in ${ROUNDS} interleaved rounds`);
console.log(
  `${''.padEnd(width)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}   ratio to ssh p50 / p99`,
);
for (const path of paths) {
  if (path.target === undefined) {
    console.log(
      `${path.name.padEnd(width)} skipped (no /usr/sbin/sshd: apt-get install openssh-server)`,
    );
    continue;
  }
  const p50 = percentile(path.samples, 50);
  const p99 = percentile(path.samples, 99);
  let ratio = '';
  if (ssh.target !== undefined && path !== ssh) {
    const r50 = p50 / percentile(ssh.samples, 50);
    const r99 = p99 / percentile(ssh.samples, 99);
    ratio = `   ×${r50.toFixed(2)} / ×${r99.toFixed(2)}`;
    if (path.budgeted) {
      ratio += `   budget ≤ ×${BUDGET}: ${r50 <= BUDGET && r99 <= BUDGET ? 'met' : 'NOT met'}`;
    }
  }
  console.log(
    `${path.name.padEnd(width)} ${p50.toFixed(0).padStart(6)} µs ${p99.toFixed(0).padStart(6)} µs${ratio}`,
  );
}
// What our own code adds on top of the topology: the gateway against the bare relay of its kind.
for (const [gateway, floor] of [
  [paths[3], paths[2]],
  [paths[5], paths[4]],
]) {
  console.log(
    `${gateway.name} over its floor: p50 ×${(percentile(gateway.samples, 50) / percentile(floor.samples, 50)).toFixed(2)}, p99 ×${(percentile(gateway.samples, 99) / percentile(floor.samples, 99)).toFixed(2)}`,
  );
}
const keys = perRound * ROUNDS;
for (const path of paths.filter((p) => p.cpu.server > 0)) {
  console.log(
    `CPU per keystroke, ${path.name.padEnd(width)}: server ${(path.cpu.server / keys).toFixed(0)} µs, agent ${(path.cpu.agent / keys).toFixed(0)} µs (10 ms /proc ticks)`,
  );
}
process.exit(0);
