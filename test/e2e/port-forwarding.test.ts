// Port forwarding end to end (issue 6): a real server, a real openssm-agent process, real local
// TCP servers on loopback, and the real clients — Debian's `aws ssm start-session` with our
// session-manager-plugin on PATH, and `openssm forward`.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  startTestAgent,
  startTestServer,
  pollUntil,
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
let agent: TestAgent;
let workDir: string;
let httpServer: Server;
let httpPort: number;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-port-'));
  server = await startTestServer();
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
  return {
    PATH: `${BIN}:/usr/bin:/bin`,
    HOME: workDir,
    AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
    AWS_DEFAULT_REGION: server.region,
    AWS_REGION: server.region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    OPENSSM_ENDPOINT: server.url,
  };
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

describe('openssm forward', () => {
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
