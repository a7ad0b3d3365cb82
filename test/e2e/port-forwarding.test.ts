// Port forwarding end to end (issue 6): a real server, a real openssm-agent process, real local
// TCP servers on loopback, and the real clients — Debian's `aws ssm start-session` with our
// session-manager-plugin on PATH, and `openssm forward`.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createServer, connect, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  operatorEnvironment,
  pollUntil,
  sshdAvailable,
  startPrivateSshd,
  runAwsCli,
  startTcpProxy,
  startTestAgent,
  startTestServer,
  type TcpProxy,
  type TestAgent,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

/** A loopback address the agent is configured to refuse. */
const DENIED_ADDRESS = '127.0.0.3';
/** A second loopback address standing for "a host the node reaches". */
const REMOTE_ADDRESS = '127.0.0.2';

let server: TestServer;
/** Between clients and the server (StreamUrls point at it); the agent connects directly. */
let proxy: TcpProxy;
let agent: TestAgent;
let workDir: string;
let httpServer: Server;
let httpPort: number;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-port-'));
  proxy = await startTcpProxy();
  server = await startTestServer({ publicUrl: proxy.url });
  proxy.setTarget({ host: '127.0.0.1', port: server.server.port });
  agent = await startTestAgent(server, {
    stateDir: join(workDir, 'agent'),
    name: 'port-node',
    // The defaults plus one loopback address, so a denied destination exists on this machine.
    runArgs: ['--port-forward-deny', `169.254.0.0/16,fe80::/10,${DENIED_ADDRESS}/32`],
  });
  httpServer = createHttpServer((request, response) => {
    response.setHeader('content-type', 'text/plain');
    response.end(`hello through the forward: ${request.method} ${request.url}`);
  });
  httpPort = await listen(httpServer);
}, 60_000);

afterAll(async () => {
  for (const child of children) process.kill(-child.pid!, 'SIGKILL');
  await agent?.stop();
  await server?.close();
  await proxy?.close();
  httpServer?.close();
  await rm(workDir, { recursive: true, force: true });
});

function listen(target: Server, address = '127.0.0.1'): Promise<number> {
  return new Promise((done) => {
    target.listen(0, address, () => {
      const address = target.address();
      done(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

function clientEnv(): Record<string, string> {
  return operatorEnvironment(server, workDir);
}

/** A long-running client process whose output is collected. */
function startClient(command: string, args: readonly string[]) {
  // Its own process group: Ctrl-C reaches `aws` and the plugin together, as from a terminal.
  const child = spawn(command, args, {
    env: clientEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      children.delete(child);
      done(code);
    }),
  );
  return {
    child,
    exited,
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
    output: () => output,
    waitFor: (pattern: RegExp, what: string) =>
      pollUntil(
        () => pattern.exec(output) ?? undefined,
        () => `${what}; output:\n${output}`,
        15_000,
      ),
  };
}

async function httpGet(port: number, path: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return response.text();
}

describe('port forwarding', () => {
  it('aws ssm start-session AWS-StartPortForwardingSession with our plugin carries HTTP', async () => {
    const client = startClient('/usr/bin/aws', [
      '--endpoint-url',
      server.url,
      'ssm',
      'start-session',
      '--target',
      agent.instanceId,
      '--document-name',
      'AWS-StartPortForwardingSession',
      '--parameters',
      `portNumber=${httpPort},localPortNumber=0`,
    ]);
    const opened = await client.waitFor(/Port (\d+) opened for sessionId (\S+)\./, 'the listener');
    const localPort = Number(opened[1]);
    // Several requests, some at once: each is its own smux stream.
    const bodies = await Promise.all(['/a', '/b', '/c'].map((path) => httpGet(localPort, path)));
    expect(bodies).toEqual([
      'hello through the forward: GET /a',
      'hello through the forward: GET /b',
      'hello through the forward: GET /c',
    ]);
    expect(await httpGet(localPort, '/again')).toBe('hello through the forward: GET /again');
    client.interrupt();
    expect(await client.exited).toBe(0);
  });
});

/** A TCP server that sends back what it reads and half-closes when the client did. */
async function startEchoServer(): Promise<{ server: Server; port: number }> {
  const echo = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  return { server: echo, port: await listen(echo) };
}

/** Sends `payload`, half-closes, and resolves with everything the far end sent back. */
function exchange(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      socket.end();
      done(Buffer.concat(chunks));
    });
    socket.on('error', fail);
    socket.end(payload);
  });
}

/** Connects, says hello, and counts what arrives until the connection is closed or reset. */
function bytesUntilClosed(port: number): Promise<number> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.on('error', () => undefined);
    socket.on('close', () => done(received));
    socket.write('hello');
  });
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Runs `openssm forward` and waits for its listeners; returns their local ports in order. */
async function startForward(target: string, specs: readonly string[]) {
  const client = startClient(join(BIN, 'openssm'), ['forward', target, ...specs]);
  await client.waitFor(/Press Ctrl-C to stop\./, 'the forward listeners');
  const ports = [...client.output().matchAll(/Forwarding 127\.0\.0\.1:(\d+) -> /g)].map((m) =>
    Number(m[1]),
  );
  return { ...client, ports };
}

/** `aws ssm start-session` with our plugin on PATH. */
function startAwsSession(document: string, parameters: string) {
  return startClient('/usr/bin/aws', [
    '--endpoint-url',
    server.url,
    'ssm',
    'start-session',
    '--target',
    agent.instanceId,
    '--document-name',
    document,
    '--parameters',
    parameters,
  ]);
}

/** A listener that counts the connections it accepted (and answers none). */
async function startCountingServer(address: string) {
  let accepted = 0;
  const counting = createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  const port = await listen(counting, address);
  return { server: counting, port, accepted: () => accepted };
}

describe('remote hosts and the deny list', () => {
  it('AWS-StartPortForwardingSessionToRemoteHost reaches a second local listener', async () => {
    const remote = createHttpServer((request, response) => response.end(`remote ${request.url}`));
    const remotePort = await listen(remote, REMOTE_ADDRESS);
    try {
      const client = startAwsSession(
        'AWS-StartPortForwardingSessionToRemoteHost',
        `host=${REMOTE_ADDRESS},portNumber=${remotePort},localPortNumber=0`,
      );
      const opened = await client.waitFor(/Port (\d+) opened/, 'the listener');
      expect(await httpGet(Number(opened[1]), '/far')).toBe('remote /far');
      client.interrupt();
      expect(await client.exited).toBe(0);
    } finally {
      remote.close();
    }
  });

  it('a denied remote host fails the session with the reason, and nothing connects', async () => {
    const denied = await startCountingServer(DENIED_ADDRESS);
    try {
      const client = startAwsSession(
        'AWS-StartPortForwardingSessionToRemoteHost',
        `host=${DENIED_ADDRESS},portNumber=${denied.port},localPortNumber=0`,
      );
      await client.waitFor(
        /SessionId: \S+ : the destination 127\.0\.0\.3 \(127\.0\.0\.3\) is denied by the agent's port-forwarding deny list/,
        'the reason',
      );
      expect(await client.exited).toBe(0);
      expect(denied.accepted()).toBe(0);
    } finally {
      denied.server.close();
    }
  });

  it('openssm forward: a denied destination is refused per connection, others still work', async () => {
    const denied = await startCountingServer(DENIED_ADDRESS);
    const echo = await startEchoServer();
    try {
      const forward = await startForward(agent.instanceId, [
        `0:${DENIED_ADDRESS}:${denied.port}`,
        '0:169.254.169.254:80',
        `0:127.0.0.1:${echo.port}`,
      ]);
      for (const port of forward.ports.slice(0, 2)) {
        // The local connection is closed (reset, as it had sent data) without a byte.
        expect(await bytesUntilClosed(port)).toBe(0);
      }
      await forward.waitFor(
        /-> 127\.0\.0\.3:\d+: refused by the node: the destination 127\.0\.0\.3 \(127\.0\.0\.3\) is denied/,
        'the configured refusal',
      );
      await forward.waitFor(
        /-> 169\.254\.169\.254:80: refused by the node: the destination 169\.254\.169\.254 \(169\.254\.169\.254\) is denied/,
        'the metadata refusal',
      );
      expect(denied.accepted()).toBe(0);
      const payload = randomBytes(100_000);
      expect(sha256(await exchange(forward.ports[2]!, payload))).toBe(sha256(payload));
      forward.interrupt();
      expect(await forward.exited).toBe(0);
    } finally {
      denied.server.close();
      echo.server.close();
    }
  });
});

const execFileAsync = promisify(execFile);
const HAVE_SSHD = await sshdAvailable();
if (!HAVE_SSHD) {
  console.warn('SKIPPED ssh/scp through openssm ssh-proxy: /usr/sbin/sshd or ssh is not installed');
}

describe.skipIf(!HAVE_SSHD)('ssh and scp through openssm ssh-proxy', () => {
  it('copies 50 MB each way through a private sshd, same checksum at both ends', async () => {
    const sshd = await startPrivateSshd();
    try {
      const local = join(workDir, 'fifty.bin');
      const payload = randomBytes(50 * 1024 * 1024);
      await writeFile(local, payload);
      const proxy = `${join(BIN, 'openssm')} ssh-proxy %h %p`;
      const options = [
        ...sshd.clientOptions,
        '-o',
        `ProxyCommand=${proxy}`,
        '-P',
        String(sshd.port),
      ];
      const remote = join(sshd.dir, 'uploaded.bin');
      const run = (command: string, args: readonly string[]) =>
        execFileAsync(command, args, {
          env: clientEnv(),
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'buffer',
          timeout: 120_000,
        });
      await run('/usr/bin/scp', [...options, local, `${sshd.user}@${agent.instanceId}:${remote}`]);
      expect(sha256(await readFile(remote))).toBe(sha256(payload));
      // ssh with the Host block openssm ssh-config prints (ProxyCommand finds openssm on PATH).
      const { stdout: block } = await execFileAsync(join(BIN, 'openssm'), ['ssh-config'], {
        env: clientEnv(),
      });
      expect(block).toMatch(/^Host mi-\* i-\*\n {2}ProxyCommand \S*openssm ssh-proxy %h %p\n/m);
      const config = join(workDir, 'ssh_config');
      await writeFile(config, block);
      const sshOptions = [...sshd.clientOptions.slice(2), '-F', config, '-p', String(sshd.port)];
      const { stdout } = await run('/usr/bin/ssh', [
        ...sshOptions,
        `${sshd.user}@${agent.instanceId}`,
        `cat ${remote}`,
      ]);
      expect(stdout.length).toBe(payload.length);
      expect(sha256(stdout)).toBe(sha256(payload));
    } finally {
      await sshd.stop();
    }
  }, 180_000);
});

describe('connection records', () => {
  it('records who, from where, to which host and port, bytes each way and duration', async () => {
    const echo = await startEchoServer();
    try {
      const forward = await startForward(agent.instanceId, [`0:localhost:${echo.port}`]);
      const sessionId = /Session (\S+) to /.exec(forward.output())![1]!;
      const sizes = [1000, 20_000, 300_000];
      for (const size of sizes) {
        const payload = randomBytes(size);
        expect(sha256(await exchange(forward.ports[0]!, payload))).toBe(sha256(payload));
      }
      const records = await pollUntil(async () => {
        const { stdout } = await runAwsCli(server, [
          'cloudtrail',
          'lookup-events',
          '--lookup-attributes',
          'AttributeKey=EventName,AttributeValue=PortConnection',
        ]);
        const events = (JSON.parse(stdout) as { Events: { CloudTrailEvent: string }[] }).Events.map(
          (event) => JSON.parse(event.CloudTrailEvent) as Record<string, unknown>,
        ).filter((event) => JSON.stringify(event).includes(sessionId));
        return events.length === sizes.length ? events : undefined;
      }, 'three PortConnection records');
      const details = records
        .map((event) => event['serviceEventDetails'] as Record<string, unknown>)
        .sort((a, b) => Number(a['bytesToDestination']) - Number(b['bytesToDestination']));
      details.forEach((detail, i) => {
        expect(detail).toMatchObject({
          sessionId,
          target: agent.instanceId,
          destinationHost: 'localhost',
          destinationPort: echo.port,
          clientAddress: '127.0.0.1',
          status: 'Connected',
          bytesToDestination: sizes[i],
          bytesFromDestination: sizes[i],
        });
        expect(typeof detail['durationMs']).toBe('number');
      });
      // Who: the caller that started the session.
      expect(JSON.stringify(records[0]!['userIdentity'])).toContain('admin');
      forward.interrupt();
      expect(await forward.exited).toBe(0);
    } finally {
      echo.server.close();
    }
  });
});

describe('openssm forward', () => {
  it('resumes a dropped client WebSocket without breaking open connections', async () => {
    const echo = await startEchoServer();
    try {
      const forward = await startForward(agent.instanceId, [`0:127.0.0.1:${echo.port}`]);
      const socket = connect({ host: '127.0.0.1', port: forward.ports[0]!, allowHalfOpen: true });
      const received: Buffer[] = [];
      let receivedBytes = 0;
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        receivedBytes += chunk.length;
      });
      const ended = new Promise<void>((done) => socket.once('end', () => done()));
      const first = randomBytes(2 * 1024 * 1024);
      socket.write(first);
      await pollUntil(() => receivedBytes === first.length, 'the first half echoed');
      // The client's links (API and data channel) are reset; the agent's stay up.
      const acceptedBefore = proxy.accepted;
      expect(proxy.cutAll()).toBeGreaterThan(0);
      const second = randomBytes(2 * 1024 * 1024);
      socket.end(second);
      await ended;
      expect(sha256(Buffer.concat(received))).toBe(sha256(Buffer.concat([first, second])));
      expect(proxy.accepted, 'the client came back through the proxy').toBeGreaterThan(
        acceptedBefore,
      );
      // The session is whole: a new connection after the resume works too.
      const payload = randomBytes(50_000);
      expect(sha256(await exchange(forward.ports[0]!, payload))).toBe(sha256(payload));
      forward.interrupt();
      expect(await forward.exited).toBe(0);
    } finally {
      echo.server.close();
    }
  });

  it('--socks: curl through the SOCKS5 proxy reaches a host by name from the node; a denied one is refused', async () => {
    const forward = await startForward(agent.instanceId, ['--socks', '0']);
    const socksPort = Number(/SOCKS5 proxy on 127\.0\.0\.1:(\d+)/.exec(forward.output())![1]);
    // --socks5-hostname: the name is resolved on the node, not here.
    const curl = (url: string) =>
      execFileAsync('curl', [
        '-sS',
        '--max-time',
        '10',
        '--socks5-hostname',
        `127.0.0.1:${socksPort}`,
        url,
      ]);
    const { stdout } = await curl(`http://localhost:${httpPort}/via-socks`);
    expect(stdout).toBe('hello through the forward: GET /via-socks');
    await expect(curl(`http://${DENIED_ADDRESS}:${httpPort}/`)).rejects.toThrow(
      /SOCKS|refused|denied/i,
    );
    await forward.waitFor(
      /SOCKS 127\.0\.0\.1:\d+ -> 127\.0\.0\.3:\d+: refused by the node: the destination 127\.0\.0\.3 \(127\.0\.0\.3\) is denied/,
      'the SOCKS refusal in the log',
    );
    forward.interrupt();
    expect(await forward.exited).toBe(0);
  });

  it('carries 50 parallel connections over three forwards in one session, each intact', async () => {
    const echoes = await Promise.all([startEchoServer(), startEchoServer(), startEchoServer()]);
    try {
      const forward = await startForward(agent.instanceId, [
        `0:127.0.0.1:${echoes[0].port}`,
        `0:localhost:${echoes[1].port}`,
        `0:127.0.0.1:${echoes[2].port}`,
      ]);
      expect(forward.ports).toHaveLength(3);
      const payloads = Array.from({ length: 50 }, (_, i) =>
        randomBytes(16 * 1024 + ((i * 7919) % 256) * 1024),
      );
      const results = await Promise.all(
        payloads.map((payload, i) => exchange(forward.ports[i % 3]!, payload)),
      );
      results.forEach((result, i) => {
        expect(result.length, `connection ${i} length`).toBe(payloads[i]!.length);
        expect(sha256(result), `connection ${i} checksum`).toBe(sha256(payloads[i]!));
      });
      // One log line per connection, each when it ended.
      await pollUntil(
        () => forward.output().match(/: closed, sent \d+ B/g)?.length === 50,
        () => `a line per connection; output:\n${forward.output()}`,
        15_000,
      );
      forward.interrupt();
      expect(await forward.exited).toBe(0);
    } finally {
      for (const echo of echoes) echo.server.close();
    }
  });
});
