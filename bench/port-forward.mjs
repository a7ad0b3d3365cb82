// Port-forward throughput (DESIGN.md §6: OpenSSM client ↔ agent ≥ 1.0 × `ssh -L`; AWS's plugin
// mode ≥ 20 MB/s), side by side in one run on loopback: one bulk transfer of --size bytes to a
// sink through (a) direct TCP, (b) `ssh -L` to a private sshd, (c) `openssm forward`, (d) our
// session-manager-plugin under `aws ssm start-session` in AWS's mode (1 KiB messages, an ack
// each: the plugin is told to decline OpenSSM's transport); then --connections concurrent
// connections through (c) sharing the same number of bytes. Server, agent and clients are real
// processes, each its own (as deployed), with TLS on both legs as the budget says (`--plain`
// for ws://); each OpenSSM row also gives the CPU seconds the server, the agent and the client
// spent on it.
//
// Usage: npm run bench:port-forward [-- --size 1073741824 --connections 100 --skip b,d --plain]

import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil, sshdAvailable, startPrivateSshd } from '@openssm/testkit';
import { WORKSPACE_BIN, cpuSeconds, startServerAndAgent } from './lib/openssm-processes.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const SIZE = Number(option('size', String(1024 ** 3)));
const CONNECTIONS = Number(option('connections', '100'));
const SKIP = new Set((option('skip', '') ?? '').split(',').filter(Boolean));
const TLS = !process.argv.includes('--plain');
const BIN = WORKSPACE_BIN;
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

/** CPU seconds of each named process, for the difference across one measurement. */
async function cpuOf(pids) {
  const seconds = {};
  for (const [name, pid] of Object.entries(pids)) seconds[name] = await cpuSeconds(pid);
  return seconds;
}

async function measure(label, port, connections = 1, pids = {}) {
  const each = Math.floor(SIZE / connections);
  const cpuBefore = await cpuOf(pids);
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: connections }, () => send(port, each)));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuOf(pids);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total !== each * connections) {
    throw new Error(`${label}: the sink got ${total} bytes of ${each * connections}`);
  }
  const mbps = total / 1e6 / seconds;
  const cpu = Object.keys(pids)
    .map((name) => `${name} ${(cpuAfter[name] - cpuBefore[name]).toFixed(1)}`)
    .join(', ');
  console.log(
    `${label.padEnd(44)} ${mbps.toFixed(1).padStart(8)} MB/s  (${seconds.toFixed(2)} s${cpu === '' ? '' : `; CPU s: ${cpu}`})`,
  );
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
const openssm = await startServerAndAgent({ tls: TLS });
const sink = await startSink();
/**
 * OPENSSM_BENCH_PROFILE=DIR: the clients (`openssm`, and the plugin `aws` starts) run under
 * `node --cpu-prof` too, through wrappers first on PATH (the server and agent: see lib/).
 */
async function profilingWrappers(dir) {
  const wrappers = join(workDir, 'profiling-bin');
  await mkdir(wrappers);
  for (const name of ['openssm', 'session-manager-plugin']) {
    const wrapper = join(wrappers, name);
    await writeFile(
      wrapper,
      `#!/bin/sh\nexec "${process.execPath}" --cpu-prof --cpu-prof-dir "${dir}" --cpu-prof-name ${name}.cpuprofile "${join(BIN, name)}" "$@"\n`,
    );
    await chmod(wrapper, 0o755);
  }
  return `${wrappers}:`;
}
const PROFILE_DIR = process.env.OPENSSM_BENCH_PROFILE;
const env = {
  PATH: `${PROFILE_DIR === undefined ? '' : await profilingWrappers(PROFILE_DIR)}${BIN}:/usr/bin:/bin`,
  HOME: workDir,
  AWS_ACCESS_KEY_ID: openssm.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: openssm.credentials.secretAccessKey,
  AWS_DEFAULT_REGION: openssm.region,
  AWS_REGION: openssm.region,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  OPENSSM_ENDPOINT: openssm.url,
  ...(openssm.caPath === undefined ? {} : { AWS_CA_BUNDLE: openssm.caPath }),
};
const stops = [];
const results = {};
try {
  console.log(
    `port-forward bench: ${(SIZE / 1024 ** 2).toFixed(0)} MiB per run, ${CONNECTIONS} concurrent connections for (c), ${TLS ? 'TLS' : 'plain WebSockets'} on both legs\n`,
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
      'openssm',
      ['forward', openssm.instanceId, `0:127.0.0.1:${sink.port}`],
      env,
    );
    stops.unshift(() => forward.stop());
    const match = await pollUntil(
      () => /Forwarding 127\.0\.0\.1:(\d+) ->/.exec(forward.output()) ?? undefined,
      () => `openssm forward to listen: ${forward.output()}`,
      20_000,
    );
    const port = Number(match[1]);
    const pids = { server: openssm.serverPid, agent: openssm.agentPid, client: forward.child.pid };
    results.c = await measure('(c) openssm forward', port, 1, pids);
    results.c100 = await measure(
      `(c) openssm forward, ${CONNECTIONS} connections`,
      port,
      CONNECTIONS,
      pids,
    );
  }

  if (!SKIP.has('d')) {
    const plugin = startProcess(
      '/usr/bin/aws',
      [
        '--endpoint-url',
        openssm.url,
        'ssm',
        'start-session',
        '--target',
        openssm.instanceId,
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
    results.d = await measure('(d) session-manager-plugin, AWS mode (1 KiB)', Number(match[1]), 1, {
      server: openssm.serverPid,
      agent: openssm.agentPid,
    });
  }

  console.log('');
  if (results.b !== undefined) {
    if (results.c !== undefined) {
      console.log(`ratio c/b: ${(results.c / results.b).toFixed(2)} (budget ≥ 1.0)`);
      console.log(
        `ratio c/b, ${CONNECTIONS} connections: ${(results.c100 / results.b).toFixed(2)}`,
      );
    }
    if (results.d !== undefined) console.log(`ratio d/b: ${(results.d / results.b).toFixed(2)}`);
  }
  if (results.d !== undefined) {
    console.log(`(d) ${results.d.toFixed(1)} MB/s (budget ≥ 20 MB/s)`);
  }
} finally {
  for (const stop of stops) await stop();
  sink.server.close();
  await openssm.close();
  await rm(workDir, { recursive: true, force: true });
}
process.exit(0);
