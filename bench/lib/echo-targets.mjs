// The paths the echo benchmark types through, each opened once and typed into in several
// interleaved rounds: a PTY on this machine, ssh to a private sshd (DESIGN.md §6's reference),
// a bare `ws` relay with the same topology as OpenSSM (the floor of that design), and OpenSSM
// itself — server and agent as their own processes, as deployed. Each target is
// { write(key), waitFor(text), cpu?(), close() }.

import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SSMClient, StartSessionCommand } from '@aws-sdk/client-ssm';
import { ClientHandshake, DataChannel, OPENSSM_TRANSPORT_OFFER } from '@openssm/channel';
import { PayloadType, encodeClientOpenDataChannel, encodeSizePayload } from '@openssm/protocol';
import pty from 'node-pty';
import WebSocket from 'ws';
import { createWatcher } from './echo-measure.mjs';
import { WORKSPACE_BIN, cpuSeconds, freePort, startServerAndAgent } from './openssm-processes.mjs';

const BASH = ['bash', '--norc', '--noprofile', '-i'];
/** Time for a shell (or an ssh login) to print its prompt before anything is timed. */
const SETTLE_MS = 1500;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function run(command, args) {
  return new Promise((ok, ko) =>
    spawn(command, args, { stdio: 'ignore' }).on('exit', (code) =>
      code === 0 ? ok() : ko(new Error(`${command} exited with ${code}`)),
    ),
  );
}

/**
 * A child process whose first output lines are awaited (readiness, ports, paths): its stdout's,
 * or its stderr's with `fromStderr` (where `openssm forward` logs).
 */
function startProcess(command, args, { fromStderr = false, ...options } = {}) {
  const stdio = fromStderr ? ['ignore', 'inherit', 'pipe'] : ['ignore', 'pipe', 'inherit'];
  const child = spawn(command, args, { stdio, ...options });
  const lines = createInterface({ input: fromStderr ? child.stderr : child.stdout });
  const seen = [];
  const waiters = [];
  lines.on('line', (line) => {
    seen.push(line);
    for (const waiter of waiters.splice(0)) waiter();
  });
  return {
    child,
    /** Resolves with the first line matching `pattern` (now or later). */
    async line(pattern) {
      for (;;) {
        const found = seen.find((line) => pattern.test(line));
        if (found !== undefined) return found;
        if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
        await Promise.race([new Promise((ok) => waiters.push(ok)), sleep(200)]);
      }
    },
  };
}

async function ptyTarget(command, args) {
  const terminal = pty.spawn(command, args, {
    name: 'xterm-256color',
    cols: 120,
    rows: 40,
    env: { PATH: process.env.PATH, TERM: 'xterm-256color', PS1: '$ ', HOME: tmpdir() },
  });
  const watcher = createWatcher();
  terminal.onData((data) => watcher.push(data));
  await sleep(SETTLE_MS);
  return {
    write: (key) => terminal.write(key),
    waitFor: (text) => watcher.waitFor(text),
    close: async () => terminal.kill(),
  };
}

/** bash in a PTY on this machine: no network at all. */
export function directTarget() {
  return ptyTarget(BASH[0], BASH.slice(1));
}

/**
 * ssh to an sshd on loopback with a private host key and config; undefined where no sshd is
 * installed (`apt-get install openssh-server`). With `forwardTo`, the same ssh connection also
 * carries `-L` to that port (ssh multiplexes both), and `forwardPort` is its local end.
 */
export async function sshTarget({ forwardTo } = {}) {
  const sshd = '/usr/sbin/sshd';
  if (!existsSync(sshd)) return undefined;
  // sshd refuses to start without its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'openssm-bench-ssh-'));
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client')]);
  await copyFile(join(dir, 'client.pub'), join(dir, 'authorized_keys'));
  const port = await freePort();
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
  await sleep(500);
  const forwardPort = forwardTo === undefined ? undefined : await freePort();
  const terminal = await ptyTarget('ssh', [
    '-tt',
    ...(forwardTo === undefined ? [] : ['-L', `${forwardPort}:127.0.0.1:${forwardTo}`]),
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
  return {
    ...terminal,
    forwardPort,
    close: async () => {
      await terminal.close();
      daemon.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A throwaway self-signed certificate for 127.0.0.1 (it is its own CA). */
async function selfSignedCertificate(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/** Client → relay process → agent process → PTY, with nothing but `ws` on each hop. */
export async function bareRelayTarget(tls) {
  const dir = await mkdtemp(join(tmpdir(), 'openssm-bench-bare-'));
  const peer = join(import.meta.dirname, 'bare-relay-peer.mjs');
  const pem = tls ? await selfSignedCertificate(dir) : undefined;
  const relay = startProcess(process.execPath, [
    peer,
    'relay',
    ...(pem === undefined ? [] : ['--tls', pem.cert, pem.key]),
  ]);
  const port = Number(await relay.line(/^\d+$/));
  const url = `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`;
  const agent = startProcess(process.execPath, [
    peer,
    'agent',
    `${url}/agent`,
    ...(pem === undefined ? [] : [pem.cert]),
  ]);
  await agent.line(/^ready$/);
  const ca = pem === undefined ? undefined : await readFile(pem.cert);
  const socket = new WebSocket(`${url}/client`, { perMessageDeflate: false, ca });
  await new Promise((ok, ko) => (socket.once('open', ok), socket.once('error', ko)));
  const watcher = createWatcher();
  socket.on('message', (data) => watcher.push(data.toString()));
  await sleep(SETTLE_MS);
  return {
    write: (key) => socket.send(key),
    waitFor: (text) => watcher.waitFor(text),
    cpu: async () => ({
      server: (await cpuSeconds(relay.child.pid)) * 1e6,
      agent: (await cpuSeconds(agent.child.pid)) * 1e6,
    }),
    close: async () => {
      socket.close();
      relay.child.kill();
      agent.child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * OpenSSM: `openssm-server` (with --tls-self-signed when `tls`) and a registered
 * `openssm-agent`, each its own process; the client is our data-channel engine over a WebSocket,
 * as in `openssm connect`. `cpu()` reports the server's and the agent's CPU time so far (the
 * relay's and the agent's in the bare relay).
 */
export async function gatewayTarget(tls) {
  const openssm = await startServerAndAgent({ tls });
  const { url, region, credentials, caPath, instanceId } = openssm;
  const ca = caPath === undefined ? undefined : await readFile(caPath);
  const ssm = new SSMClient({
    endpoint: url,
    region,
    credentials,
    ...(ca === undefined ? {} : { requestHandler: { httpsAgent: new HttpsAgent({ ca }) } }),
  });
  const started = await ssm.send(new StartSessionCommand({ Target: instanceId }));
  const socket = new WebSocket(started.StreamUrl, { perMessageDeflate: false, ca });
  await new Promise((ok, ko) => (socket.once('open', ok), socket.once('error', ko)));
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
        setTimeout: (callback, ms) => setTimeout(callback, ms),
        clearTimeout: (handle) => clearTimeout(handle),
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
  await channel.send(PayloadType.Size, encodeSizePayload({ cols: 120, rows: 40 }));
  await sleep(SETTLE_MS);
  const encoder = new TextEncoder();
  const operator = {
    PATH: `${WORKSPACE_BIN}:/usr/bin:/bin`,
    HOME: tmpdir(),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    OPENSSM_ENDPOINT: url,
    ...(caPath === undefined ? {} : { AWS_CA_BUNDLE: caPath }),
  };
  const forwards = [];
  return {
    write: (key) => void channel.send(PayloadType.Output, encoder.encode(key)),
    /**
     * Starts `openssm forward` to 127.0.0.1:port on the node (a session of its own beside the
     * shell) and resolves with its local port.
     */
    forward: async (port) => {
      const forward = startProcess(
        join(WORKSPACE_BIN, 'openssm'),
        ['forward', instanceId, `0:127.0.0.1:${port}`],
        {
          fromStderr: true,
          env: operator,
        },
      );
      forwards.push(forward.child);
      return Number((await forward.line(/^Forwarding /)).match(/:(\d+) ->/)[1]);
    },
    waitFor: (text) => watcher.waitFor(text),
    cpu: async () => ({
      server: (await cpuSeconds(openssm.serverPid)) * 1e6,
      agent: (await cpuSeconds(openssm.agentPid)) * 1e6,
    }),
    close: async () => {
      for (const forward of forwards) forward.kill('SIGINT');
      channel.close();
      socket.close();
      ssm.destroy();
      await openssm.close();
    },
  };
}
