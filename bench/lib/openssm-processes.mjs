// An OpenSSM server and one registered agent, each its own process as deployed (so a benchmark
// measures what production runs, not a server sharing the driver's event loop), with TLS on
// both legs when asked (the server's private CA; the agent and clients trust it).

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  CreateActivationCommand,
  DescribeInstanceInformationCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';

const root = resolve(import.meta.dirname, '..', '..');
export const WORKSPACE_BIN = join(root, 'node_modules', '.bin');
const bin = (name) => join(WORKSPACE_BIN, name);
/**
 * OPENSSM_BENCH_PROFILE=DIR: the server and the agent run under `node --cpu-prof` and write
 * their profiles to DIR when they stop (NODE_OPTIONS may not carry --cpu-prof).
 */
const PROFILE_DIR = process.env.OPENSSM_BENCH_PROFILE;

function spawnNode(name, args, options) {
  if (PROFILE_DIR === undefined) return spawn(bin(name), args, options);
  return spawn(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      PROFILE_DIR,
      '--cpu-prof-name',
      `${name}.cpuprofile`,
      bin(name),
      ...args,
    ],
    options,
  );
}
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function run(command, args) {
  return new Promise((ok, ko) =>
    spawn(command, args, { stdio: 'ignore' }).on('exit', (code) =>
      code === 0 ? ok() : ko(new Error(`${command} exited with ${code}`)),
    ),
  );
}

export function freePort() {
  return new Promise((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

/** CPU time (user + system, seconds) a process has used so far, from /proc. */
export async function cpuSeconds(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A child process whose stdout lines are awaited (readiness, ports, paths). */
function startProcess(name, args) {
  const child = spawnNode(name, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const command = name;
  const seen = [];
  createInterface({ input: child.stdout }).on('line', (line) => seen.push(line));
  return {
    child,
    /** Resolves with the first line matching `pattern` (now or later). */
    async line(pattern) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const found = seen.find((line) => pattern.test(line));
        if (found !== undefined) return found;
        if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
        if (Date.now() > deadline) throw new Error(`${command} did not print ${pattern}`);
        await sleep(50);
      }
    },
  };
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  return exited.finally(() => clearTimeout(timer));
}

/**
 * `openssm-server` (TLS with its private CA when `tls`) and an `openssm-agent` registered with
 * it, resolved once the agent is Online. `runArgs` go to `openssm-agent run`.
 */
export async function startServerAndAgent({ tls = true, runArgs = [] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'openssm-bench-'));
  const server = startProcess('openssm-server', [
    '--data-dir',
    join(dir, 'server'),
    '--listen',
    `127.0.0.1:${await freePort()}`,
    '--log-level',
    'error',
    ...(tls ? ['--tls-self-signed'] : []),
  ]);
  let agent;
  try {
    const url = (await server.line(/listening on /)).match(/listening on (\S+)/)[1];
    const region = (await server.line(/\(region /)).match(/\(region (\S+)\)/)[1];
    const credentialsPath = (await server.line(/^Administrator credentials: /)).split(' ')[2];
    const caPath = tls ? (await server.line(/^Private CA: /)).split(' ')[2] : undefined;
    const ca = caPath === undefined ? undefined : await readFile(caPath);
    const credentialsText = await readFile(credentialsPath, 'utf8');
    const credentials = {
      accessKeyId: /aws_access_key_id = (\S+)/.exec(credentialsText)[1],
      secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentialsText)[1],
    };
    const ssm = new SSMClient({
      endpoint: url,
      region,
      credentials,
      ...(ca === undefined ? {} : { requestHandler: { httpsAgent: new HttpsAgent({ ca }) } }),
    });
    try {
      const activation = await ssm.send(
        new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole' }),
      );
      const stateDir = join(dir, 'agent');
      await run(bin('openssm-agent'), [
        'register',
        '--server',
        url,
        '--region',
        region,
        '--activation-code',
        activation.ActivationCode,
        '--activation-id',
        activation.ActivationId,
        '--state-dir',
        stateDir,
        ...(caPath === undefined ? [] : ['--ca-file', caPath]),
      ]);
      const registration = JSON.parse(await readFile(join(stateDir, 'registration.json'), 'utf8'));
      agent = spawnNode('openssm-agent', ['run', '--state-dir', stateDir, ...runArgs], {
        stdio: 'ignore',
      });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { InstanceInformationList: nodes = [] } = await ssm.send(
          new DescribeInstanceInformationCommand({}),
        );
        const online = nodes.some(
          (node) => node.InstanceId === registration.instanceId && node.PingStatus === 'Online',
        );
        if (online) break;
        if (Date.now() > deadline) throw new Error('the agent did not come online');
        await sleep(100);
      }
      return {
        url,
        region,
        credentials,
        caPath,
        instanceId: registration.instanceId,
        serverPid: server.child.pid,
        agentPid: agent.pid,
        async close() {
          await stop(agent);
          await stop(server.child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } finally {
      ssm.destroy();
    }
  } catch (error) {
    if (agent !== undefined) await stop(agent);
    await stop(server.child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
