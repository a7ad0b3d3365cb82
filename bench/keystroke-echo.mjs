// Keystroke → echo round trip through the gateway, beside the same echo from a PTY on this
// machine with no network in between, measured in one run (DESIGN.md §6). Prints p50/p99 of
// each and their ratio. Usage: npm run bench:echo [-- --keys 500]
//
// Path measured: client data channel (our engine) → WebSocket → server relay → WebSocket →
// openssm-agent (a separate process) → PTY → bash echo → back the same way.

import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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

/** Echo through a PTY running `command` (bash directly, or ssh to a local sshd). */
async function ptyEcho(command, args) {
  const terminal = pty.spawn(command, args, {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    env: { PATH: process.env.PATH, TERM: 'xterm-256color', PS1: '$ ', HOME: tmpdir() },
  });
  const watcher = createWatcher();
  terminal.onData((data) => watcher.push(data));
  // Let the shell (or the ssh login) print its prompt before timing anything.
  await new Promise((r) => setTimeout(r, 1500));
  const samples = await measure(
    (key) => terminal.write(key),
    (key) => watcher.waitFor(key),
  );
  terminal.kill();
  return samples;
}

const BASH = ['bash', ['--norc', '--noprofile', '-i']];

/**
 * DESIGN.md §6's reference: the same keystroke through `ssh` to an sshd on loopback with a
 * private host key and config. Skipped (with a note) where no sshd is installed.
 */
async function sshEcho() {
  const sshd = '/usr/sbin/sshd';
  if (!existsSync(sshd)) return undefined;
  // sshd refuses to start without its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'openssm-bench-ssh-'));
  const run = (cmd, args) =>
    new Promise((ok, ko) =>
      spawn(cmd, args, { stdio: 'ignore' }).on('exit', (code) =>
        code === 0 ? ok() : ko(new Error(`${cmd} failed`)),
      ),
    );
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client')]);
  await copyFile(join(dir, 'client.pub'), join(dir, 'authorized_keys'));
  const port = await new Promise((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => ok(free));
    });
  });
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(dir, 'host')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin yes',
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      `PidFile ${join(dir, 'sshd.pid')}`,
    ].join('\n'),
  );
  const daemon = spawn(sshd, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 500));
    return await ptyEcho('ssh', [
      '-tt',
      '-i',
      join(dir, 'client'),
      '-p',
      String(port),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      `${process.env.USER ?? 'root'}@127.0.0.1`,
      'env PS1="$ " bash --norc --noprofile -i',
    ]);
  } finally {
    daemon.kill();
    await rm(dir, { recursive: true, force: true });
  }
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
const direct = await ptyEcho(...BASH);
trace('ssh');
const ssh = await sshEcho();
trace('gateway');
const gateway = await gatewayEcho();
const row = (name, samples) =>
  `${name.padEnd(34)} ${percentile(samples, 50).toFixed(0).padStart(8)} µs ${percentile(samples, 99).toFixed(0).padStart(8)} µs`;
console.log(`keystroke → echo, ${KEYS} keys each (after ${WARMUP} warm-up)`);
console.log(`${''.padEnd(34)} ${'p50'.padStart(11)} ${'p99'.padStart(11)}`);
console.log(row('direct PTY (baseline)', direct));
if (ssh === undefined)
  console.log('ssh to a local sshd                 (skipped: no /usr/sbin/sshd)');
else console.log(row('ssh to a local sshd (DESIGN §6 ref)', ssh));
console.log(row('through the gateway (plain WS)', gateway));
console.log(
  `ratio gateway/direct: p50 ×${(percentile(gateway, 50) / percentile(direct, 50)).toFixed(2)}, p99 ×${(percentile(gateway, 99) / percentile(direct, 99)).toFixed(2)}`,
);
if (ssh !== undefined) {
  console.log(
    `ratio gateway/ssh:    p50 ×${(percentile(gateway, 50) / percentile(ssh, 50)).toFixed(2)}, p99 ×${(percentile(gateway, 99) / percentile(ssh, 99)).toFixed(2)}   (budget ≤ ×1.5)`,
  );
}
process.exit(0);
