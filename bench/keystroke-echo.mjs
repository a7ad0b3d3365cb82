// Keystroke → echo round trip through the gateway, beside the same echo from a PTY on this
// machine with no network in between, measured in one run (DESIGN.md §6). Prints p50/p99 of
// each and their ratio. Usage: npm run bench:echo [-- --keys 500]
//
// Path measured: client data channel (our engine) → WebSocket → server relay → WebSocket →
// openssm-agent (a separate process) → PTY → bash echo → back the same way.

import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateActivationCommand, SSMClient, StartSessionCommand } from '@aws-sdk/client-ssm';
import { ClientHandshake, DataChannel, OPENSSM_TRANSPORT_OFFER } from '@openssm/channel';
import { PayloadType, encodeClientOpenDataChannel, encodeSizePayload } from '@openssm/protocol';
import { resolveServerConfig, silentLogger, startServer } from '@openssm/server';
import pty from 'node-pty';
import WebSocket from 'ws';

const root = resolve(import.meta.dirname, '..');
const keysArg = process.argv.indexOf('--keys');
const KEYS = keysArg > 0 ? Number(process.argv[keysArg + 1]) : 300;
const WARMUP = 20;
const TIMEOUT_MS = 5_000;

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Types KEYS single characters one after another, timing each until its echo arrives. */
async function measure(write, waitFor) {
  const samples = [];
  for (let i = 0; i < KEYS + WARMUP; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    const started = process.hrtime.bigint();
    const echoed = waitFor(key);
    write(key);
    await echoed;
    if (i >= WARMUP) samples.push(Number(process.hrtime.bigint() - started) / 1000);
    if (i % 60 === 59) {
      // Clear the line so the shell's input buffer stays short.
      const cleared = waitFor('\n');
      write('\u0015\r');
      await cleared;
    }
  }
  return samples;
}

/** Output watcher: resolves the next wait once `text` appears after the previous match. */
function createWatcher() {
  let buffer = '';
  let pending;
  return {
    push(text) {
      buffer += text;
      if (pending !== undefined && buffer.includes(pending.text)) {
        const { resolve: done } = pending;
        pending = undefined;
        buffer = '';
        done();
      }
    },
    waitFor(text) {
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no echo of ${JSON.stringify(text)}`)),
          TIMEOUT_MS,
        );
        pending = {
          text,
          resolve: () => {
            clearTimeout(timer);
            resolvePromise();
          },
        };
        buffer = '';
      });
    },
  };
}

async function directPtyEcho() {
  const terminal = pty.spawn('bash', ['--norc', '--noprofile', '-i'], {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    env: { PATH: process.env.PATH, TERM: 'xterm-256color', PS1: '$ ', HOME: tmpdir() },
  });
  const watcher = createWatcher();
  terminal.onData((data) => watcher.push(data));
  await new Promise((r) => setTimeout(r, 300));
  const samples = await measure(
    (key) => terminal.write(key),
    (key) => watcher.waitFor(key),
  );
  terminal.kill();
  return samples;
}

function runBin(name, args, stdio = 'inherit') {
  return spawn(join(root, 'node_modules', '.bin', name), args, { stdio });
}

async function gatewayEcho() {
  const dir = await mkdtemp(join(tmpdir(), 'openssm-bench-'));
  const config = resolveServerConfig(
    ['--data-dir', join(dir, 'server'), '--listen', '127.0.0.1:0'],
    {},
    dir,
  );
  const server = await startServer(config, { log: silentLogger });
  const credentialsText = await readFile(server.adminCredentials.path, 'utf8');
  const credentials = {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(credentialsText)[1],
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentialsText)[1],
  };
  const ssm = new SSMClient({ endpoint: server.url, region: config.region, credentials });
  let agent;
  try {
    const activation = await ssm.send(new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole' }));
    const stateDir = join(dir, 'agent');
    const registered = runBin(
      'openssm-agent',
      [
        'register',
        '--server',
        server.url,
        '--activation-code',
        activation.ActivationCode,
        '--activation-id',
        activation.ActivationId,
        '--state-dir',
        stateDir,
      ],
      ['ignore', 'ignore', 'inherit'],
    );
    await new Promise((r, j) =>
      registered.on('exit', (code) => (code === 0 ? r() : j(new Error('register failed')))),
    );
    const registration = JSON.parse(await readFile(join(stateDir, 'registration.json'), 'utf8'));
    agent = runBin(
      'openssm-agent',
      ['run', '--state-dir', stateDir],
      ['ignore', 'ignore', 'ignore'],
    );
    const deadline = Date.now() + 20_000;
    while (!server.services.connections.isConnected(registration.instanceId)) {
      if (Date.now() > deadline) throw new Error('the agent did not connect');
      await new Promise((r) => setTimeout(r, 20));
    }
    trace('agent connected');
    const started = await ssm.send(new StartSessionCommand({ Target: registration.instanceId }));
    const socket = new WebSocket(started.StreamUrl, { perMessageDeflate: false });
    await new Promise((r, j) => (socket.once('open', r), socket.once('error', j)));
    socket._socket.setNoDelay(true);
    socket.send(
      encodeClientOpenDataChannel({
        requestId: randomUUID(),
        tokenValue: started.TokenValue,
        clientId: randomUUID(),
        clientVersion: '1.2.694.0',
      }),
    );
    const watcher = createWatcher();
    let handshake;
    const channel = new DataChannel({
      role: 'client',
      environment: {
        clock: {
          now: Date.now,
          setTimeout: (cb, ms) => setTimeout(cb, ms),
          clearTimeout: (h) => clearTimeout(h),
        },
        sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
        randomUUID,
      },
      handlers: {
        onStreamMessage: (message) => {
          if (handshake.handle(message)) return true;
          watcher.push(Buffer.from(message.payload).toString('utf8'));
          return true;
        },
      },
    });
    handshake = new ClientHandshake({
      channel,
      clientVersion: '1.2.694.0',
      transportLimits: OPENSSM_TRANSPORT_OFFER,
    });
    socket.on('message', (data, binary) => {
      if (binary) channel.receive(new Uint8Array(data));
    });
    channel.attach({ send: (bytes) => socket.send(bytes) });
    await handshake.done;
    trace('handshake done');
    await channel.send(PayloadType.Size, encodeSizePayload({ cols: 120, rows: 40 }));
    await new Promise((r) => setTimeout(r, 800));
    const encoder = new TextEncoder();
    const samples = await measure(
      (key) => void channel.send(PayloadType.Output, encoder.encode(key)),
      (key) => watcher.waitFor(key),
    );
    channel.close();
    socket.close();
    return samples;
  } finally {
    agent?.kill('SIGTERM');
    ssm.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const trace = (what) => process.env.BENCH_TRACE && console.error(`[bench] ${what}`);
trace('direct');
const direct = await directPtyEcho();
trace('gateway');
const gateway = await gatewayEcho();
const row = (name, samples) =>
  `${name.padEnd(34)} ${percentile(samples, 50).toFixed(0).padStart(8)} µs ${percentile(samples, 99).toFixed(0).padStart(8)} µs`;
console.log(`keystroke → echo, ${KEYS} keys each (after ${WARMUP} warm-up)`);
console.log(`${''.padEnd(34)} ${'p50'.padStart(11)} ${'p99'.padStart(11)}`);
console.log(row('direct PTY (baseline)', direct));
console.log(row('through the gateway (plain WS)', gateway));
console.log(
  `ratio gateway/direct: p50 ×${(percentile(gateway, 50) / percentile(direct, 50)).toFixed(2)}, p99 ×${(percentile(gateway, 99) / percentile(direct, 99)).toFixed(2)}`,
);
process.exit(0);
