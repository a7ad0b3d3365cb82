// A node in a private network (issue 9): its agent reaches the server only through an HTTP
// proxy (HTTPS_PROXY, CONNECT) — the server's name resolves nowhere but in the proxy — and it
// registers, connects, serves a shell session and runs a command, TLS pinned end to end.
// NO_PROXY sends a host around the proxy. An https:// proxy is reached over TLS, the tunnel
// (and the server's own TLS) inside it.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { CreateActivationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  adminSsmClient,
  createTestCa,
  hasOpenssl,
  pollUntil,
  runShellScriptOn,
  startConnectProxy,
  startPipedSession,
  startTestServer,
  type ConnectProxy,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const AGENT = resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'openssm-agent');
/** A name no resolver knows: only the proxy maps it to the server. */
const PRIVATE_NAME = 'openssm.internal.invalid';

let server: TestServer;
let proxy: ConnectProxy;
let workDir: string;
let ssm: SSMClient;
let leafFingerprint: string;

beforeAll(async () => {
  server = await startTestServer({ extraArgs: ['--tls-self-signed'] });
  proxy = await startConnectProxy({ hosts: { [PRIVATE_NAME]: '127.0.0.1' } });
  workDir = await mkdtemp(join(tmpdir(), 'openssm-proxy-'));
  ssm = adminSsmClient(server);
  // The server's own certificate names 127.0.0.1, not the private name: the agent pins it.
  leafFingerprint = await new Promise<string>((done, fail) => {
    const socket = connect({
      host: '127.0.0.1',
      port: server.server.port,
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      done(socket.getPeerCertificate().fingerprint256.replace(/:/g, ''));
      socket.end();
    });
    socket.once('error', fail);
  });
});
afterAll(async () => {
  ssm?.destroy();
  await proxy?.close();
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
});

function agentEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: workDir, HTTPS_PROXY: proxy.url, ...extra };
}

async function activation() {
  return ssm.send(new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole' }));
}

function registerArgs(
  created: { ActivationCode?: string; ActivationId?: string },
  stateDir: string,
) {
  return [
    'register',
    '--server',
    `https://${PRIVATE_NAME}:${server.server.port}`,
    '--activation-code',
    created.ActivationCode!,
    '--activation-id',
    created.ActivationId!,
    '--ca-fingerprint',
    leafFingerprint,
    '--state-dir',
    stateDir,
  ];
}

describe('an agent behind an HTTP proxy', () => {
  it('registers, connects, serves a session and a command, all through CONNECT tunnels', async () => {
    const stateDir = join(workDir, 'node');
    const { stdout } = await execFileAsync(AGENT, registerArgs(await activation(), stateDir), {
      env: agentEnv(),
    });
    const instanceId = stdout.trim();
    expect(proxy.tunnels).toEqual([`${PRIVATE_NAME}:${server.server.port}`]);

    const agent = spawn(AGENT, ['run', '--state-dir', stateDir], {
      env: agentEnv(),
      stdio: 'ignore',
    });
    try {
      await pollUntil(
        () => server.server.services.connections.isConnected(instanceId),
        'the agent to connect through the proxy',
      );
      const session = startPipedSession(server, instanceId, {
        AWS_CA_BUNDLE: server.server.selfSignedCa!.path,
      });
      try {
        session.type('echo proxied-$((6*7))');
        await session.waitFor(/^proxied-42\r?$/m, 'the shell to answer through the proxy');
        session.type('exit');
        expect(await session.exited).toBe(0);
      } finally {
        await session.stop();
      }

      const invocation = await runShellScriptOn(ssm, instanceId, ['echo command-through-proxy']);
      expect(invocation.StandardOutputContent).toBe('command-through-proxy\n');
      // Every connection of the agent went through the proxy, to the private name only.
      expect(new Set(proxy.tunnels)).toEqual(new Set([`${PRIVATE_NAME}:${server.server.port}`]));
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(3); // register, control, data channel
    } finally {
      agent.kill('SIGTERM');
      await new Promise((done) => agent.once('exit', done));
    }
  }, 90_000);

  it('goes around the proxy for NO_PROXY hosts (and then cannot resolve the private name)', async () => {
    const before = proxy.tunnels.length;
    const refused = execFileAsync(
      AGENT,
      registerArgs(await activation(), join(workDir, 'bypass')),
      { env: agentEnv({ NO_PROXY: `localhost,.internal.invalid` }) },
    );
    await expect(refused).rejects.toMatchObject({
      stderr: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/) as unknown,
    });
    expect(proxy.tunnels.length).toBe(before);
  }, 30_000);

  it.skipIf(!hasOpenssl)(
    'registers and runs a command through an https:// proxy (TLS to the proxy, then CONNECT)',
    async () => {
      const proxyCa = createTestCa();
      await using tlsProxy = await startConnectProxy({
        hosts: { [PRIVATE_NAME]: '127.0.0.1' },
        tls: proxyCa.tls,
      });
      // The proxy's private CA through Node's own variable; the server stays pinned.
      const env = agentEnv({ HTTPS_PROXY: tlsProxy.url, NODE_EXTRA_CA_CERTS: proxyCa.caFile });
      const stateDir = join(workDir, 'tls-proxy-node');
      const agent = await (async () => {
        const { stdout } = await execFileAsync(AGENT, registerArgs(await activation(), stateDir), {
          env,
        });
        return {
          instanceId: stdout.trim(),
          process: spawn(AGENT, ['run', '--state-dir', stateDir], { env, stdio: 'ignore' }),
        };
      })();
      try {
        await pollUntil(
          () => server.server.services.connections.isConnected(agent.instanceId),
          'the agent to connect through the https:// proxy',
        );
        const invocation = await runShellScriptOn(ssm, agent.instanceId, [
          'echo through-tls-proxy',
        ]);
        expect(invocation.StandardOutputContent).toBe('through-tls-proxy\n');
        // register, the control channel and the command's API calls: all tunnelled.
        expect(tlsProxy.tunnels.length).toBeGreaterThanOrEqual(2);
        expect(new Set(tlsProxy.tunnels)).toEqual(
          new Set([`${PRIVATE_NAME}:${server.server.port}`]),
        );
      } finally {
        agent.process.kill('SIGTERM');
        await new Promise((done) => agent.process.once('exit', done));
        proxyCa.dispose();
      }

      // Without the proxy's CA the agent refuses the proxy, and says how to trust it.
      const refused = execFileAsync(
        AGENT,
        registerArgs(await activation(), join(workDir, 'untrusted-proxy')),
        { env: agentEnv({ HTTPS_PROXY: tlsProxy.url }) },
      );
      await expect(refused).rejects.toMatchObject({
        stderr: expect.stringMatching(
          /its certificate is not trusted: give its CA with --ca-file/,
        ) as unknown,
      });
    },
    60_000,
  );
});
