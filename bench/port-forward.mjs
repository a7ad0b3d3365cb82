// Port-forward throughput (DESIGN.md §6: OpenSSM client ↔ agent ≥ 1.0 × `ssh -L`; AWS's plugin
// mode ≥ 20 MB/s), side by side in one run on loopback: one bulk transfer of --size bytes to a
// sink through (a) direct TCP, (b) `ssh -L` to a private sshd, (c) `openssm forward`, (d) our
// session-manager-plugin under `aws ssm start-session` in AWS's mode (1 KiB messages, an ack
// each: the plugin is told to decline OpenSSM's transport); then --connections concurrent
// connections through (c) sharing the same number of bytes. Server, agent and clients are real
// processes (the server runs in this one), plain HTTP on loopback.
//
// Usage: npm run bench:port-forward [-- --size 1073741824 --connections 100 --skip d]

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  pollUntil,
  sshdAvailable,
  startPrivateSshd,
  startTestAgent,
  startTestServer,
} from '@openssm/testkit';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const SIZE = Number(option('size', String(1024 ** 3)));
const CONNECTIONS = Number(option('connections', '100'));
const SKIP = new Set((option('skip', '') ?? '').split(',').filter(Boolean));
const BIN = resolve(import.meta.dirname, '..', 'node_modules', '.bin');
const CHUNK = Buffer.alloc(256 * 1024, 0x5a);

/** A sink that counts what it reads and answers "OK" with the count once the sender ended. */
async function startSink() {
  const sink = createServer({ allowHalfOpen: true }, (socket) => {
    let count = 0;
    socket.on('data', (chunk) => (count += chunk.length));
    socket.on('end', () => socket.end(`OK ${count}`));
    socket.on('error', () => undefined);
  });
  await new Promise((done) => sink.listen(0, '127.0.0.1', done));
  return { server: sink, port: sink.address().port };
}

/** Sends `bytes` to 127.0.0.1:port and resolves with the count the sink reported. */
function send(port, bytes) {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let reply = '';
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    socket.once('connect', pump);
    socket.on('data', (chunk) => (reply += chunk));
    socket.on('end', () => done(Number(reply.replace('OK ', ''))));
    socket.on('error', fail);
  });
}

async function measure(label, port, connections = 1) {
  const each = Math.floor(SIZE / connections);
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: connections }, () => send(port, each)));
  const seconds = (performance.now() - started) / 1000;
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total !== each * connections) {
    throw new Error(`${label}: the sink got ${total} bytes of ${each * connections}`);
  }
  const mbps = total / 1e6 / seconds;
  console.log(`${label.padEnd(44)} ${mbps.toFixed(1).padStart(8)} MB/s  (${seconds.toFixed(2)} s)`);
  return mbps;
}

function startProcess(command, args, env) {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // gone already
      }
    },
  };
}

const canConnect = (port) =>
  new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });

const workDir = await mkdtemp(join(tmpdir(), 'openssm-bench-pf-'));
const server = await startTestServer();
const agent = await startTestAgent(server, { stateDir: join(workDir, 'agent') });
const sink = await startSink();
const env = {
  PATH: `${BIN}:/usr/bin:/bin`,
  HOME: workDir,
  AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
  AWS_DEFAULT_REGION: server.region,
  AWS_REGION: server.region,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  OPENSSM_ENDPOINT: server.url,
};
const stops = [];
const results = {};
try {
  console.log(
    `port-forward bench: ${(SIZE / 1024 ** 2).toFixed(0)} MiB per run, ${CONNECTIONS} concurrent connections for (c)\n`,
  );
  results.a = await measure('(a) direct loopback TCP', sink.port);

  if (!SKIP.has('b') && (await sshdAvailable())) {
    const sshd = await startPrivateSshd();
    stops.push(() => sshd.stop());
    const probe = createServer();
    await new Promise((done) => probe.listen(0, '127.0.0.1', done));
    const localPort = probe.address().port;
    await new Promise((done) => probe.close(done));
    const ssh = startProcess(
      '/usr/bin/ssh',
      [
        ...sshd.clientOptions,
        '-N',
        '-L',
        `${localPort}:127.0.0.1:${sink.port}`,
        '-p',
        String(sshd.port),
        `${sshd.user}@127.0.0.1`,
      ],
      env,
    );
    stops.unshift(() => ssh.stop());
    await pollUntil(() => canConnect(localPort), 'ssh -L to listen', 15_000);
    results.b = await measure('(b) ssh -L to a private sshd', localPort);
  } else {
    console.log('(b) ssh -L: skipped (no /usr/sbin/sshd)');
  }

  if (!SKIP.has('c')) {
    const forward = startProcess(
      join(BIN, 'openssm'),
      ['forward', agent.instanceId, `0:127.0.0.1:${sink.port}`],
      env,
    );
    stops.unshift(() => forward.stop());
    const match = await pollUntil(
      () => /Forwarding 127\.0\.0\.1:(\d+) ->/.exec(forward.output()) ?? undefined,
      () => `openssm forward to listen: ${forward.output()}`,
      20_000,
    );
    const port = Number(match[1]);
    results.c = await measure('(c) openssm forward', port);
    results.c100 = await measure(
      `(c) openssm forward, ${CONNECTIONS} connections`,
      port,
      CONNECTIONS,
    );
  }

  if (!SKIP.has('d')) {
    const plugin = startProcess(
      '/usr/bin/aws',
      [
        '--endpoint-url',
        server.url,
        'ssm',
        'start-session',
        '--target',
        agent.instanceId,
        '--document-name',
        'AWS-StartPortForwardingSession',
        '--parameters',
        `portNumber=${sink.port},localPortNumber=0`,
      ],
      // Our plugin declines OpenSSM's transport: AWS's 1 KiB messages with an ack each.
      { ...env, OPENSSM_PLUGIN_AWS_TRANSPORT: '1' },
    );
    stops.unshift(() => plugin.stop());
    const match = await pollUntil(
      () => /Port (\d+) opened/.exec(plugin.output()) ?? undefined,
      () => `the plugin to listen: ${plugin.output()}`,
      20_000,
    );
    results.d = await measure('(d) session-manager-plugin, AWS mode (1 KiB)', Number(match[1]));
  }

  console.log('');
  if (results.b !== undefined) {
    if (results.c !== undefined) {
      console.log(`ratio c/b: ${(results.c / results.b).toFixed(2)} (budget ≥ 1.0)`);
    }
    if (results.d !== undefined) console.log(`ratio d/b: ${(results.d / results.b).toFixed(2)}`);
  }
  if (results.d !== undefined) {
    console.log(`(d) ${results.d.toFixed(1)} MB/s (budget ≥ 20 MB/s)`);
  }
} finally {
  for (const stop of stops) await stop();
  sink.server.close();
  await agent.stop();
  await server.close();
  await rm(workDir, { recursive: true, force: true });
}
process.exit(0);
