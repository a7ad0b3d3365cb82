// The agent's footprint (DESIGN.md §6: idle resident memory ≤ 60 MB): builds the linux bundle
// for this machine (or takes --bundle-dir), prints its packed and unpacked size, then runs the
// bundled agent against a local server until its control channel is up, lets it idle and
// prints its resident memory (VmRSS, and the peak VmHWM) — beside the same agent run from the
// workspace (dist/, Node from PATH), the baseline measured in the same run.
//
// Usage: npm run bench:agent [-- --idle-seconds 10 --bundle-dir DIR]

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { pollUntil, startTestServer } from '@openssm/testkit';

const execFileAsync = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const BUDGET_MB = 60;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const idleMs = Number(option('idle-seconds', '10')) * 1000;

const work = await mkdtemp(join(tmpdir(), 'openssm-bench-agent-'));
const server = await startTestServer();
const ssm = new SSMClient({
  endpoint: server.url,
  region: server.region,
  credentials: server.adminCredentials,
});
try {
  let bundles = option('bundle-dir', undefined);
  if (bundles === undefined) {
    bundles = join(work, 'bundles');
    await execFileAsync('node', [join(root, 'scripts/build-agent-bundle.mjs'), '--out', bundles]);
  }
  const [version] = await readdir(bundles);
  const platform = `linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`;
  const manifest = JSON.parse(
    await readFile(join(bundles, version, platform, 'manifest.json'), 'utf8'),
  );
  const unpacked = join(work, 'unpacked');
  await execFileAsync('mkdir', ['-p', unpacked]);
  await execFileAsync('tar', [
    '-xzf',
    join(bundles, version, platform, 'openssm-agent.tar.gz'),
    '-C',
    unpacked,
  ]);
  const { stdout: jsSize } = await execFileAsync('du', [
    '-b',
    join(unpacked, 'openssm-agent/lib/openssm-agent.mjs'),
  ]);
  console.log(`agent bundle ${version} ${platform}`);
  console.log(`  packed     ${(manifest.size / 1e6).toFixed(1)} MB (sha256 ${manifest.sha256})`);
  console.log(`  unpacked   ${(manifest.unpackedSize / 1e6).toFixed(1)} MB`);
  console.log(`  agent JS   ${(Number(jsSize.split(/\s/)[0]) / 1e3).toFixed(0)} kB (one file)`);

  const measure = async (label, command, args) => {
    const activation = await ssm.send(new CreateActivationCommand({ IamRole: 'OpenSSMNodeRole' }));
    const stateDir = join(work, `state-${label}`);
    const { stdout } = await execFileAsync(command, [
      ...args,
      'register',
      '--server',
      server.url,
      '--activation-code',
      activation.ActivationCode,
      '--activation-id',
      activation.ActivationId,
      '--state-dir',
      stateDir,
    ]);
    const instanceId = stdout.trim();
    const child = spawn(command, [...args, 'run', '--state-dir', stateDir], { stdio: 'ignore' });
    try {
      await pollUntil(
        () => server.server.services.connections.isConnected(instanceId),
        `${label} agent to connect`,
      );
      await new Promise((done) => setTimeout(done, idleMs));
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  };
  const bundled = await measure('bundle', join(unpacked, 'openssm-agent/bin/openssm-agent'), []);
  const workspace = await measure('workspace', process.execPath, [
    join(root, 'packages/agent/bin/openssm-agent.js'),
  ]);
  console.log(`idle resident memory after ${idleMs / 1000} s connected (budget ${BUDGET_MB} MB)`);
  console.log(
    `  bundle     ${bundled.rss.toFixed(1)} MB (peak ${bundled.peak.toFixed(1)} MB)  ${
      bundled.rss <= BUDGET_MB ? 'within budget' : 'OVER BUDGET'
    }`,
  );
  console.log(
    `  workspace  ${workspace.rss.toFixed(1)} MB (peak ${workspace.peak.toFixed(1)} MB)  baseline`,
  );
  console.log(`  ratio      ${(bundled.rss / workspace.rss).toFixed(2)} × the workspace agent`);
} finally {
  ssm.destroy();
  await server.close();
  await rm(work, { recursive: true, force: true });
}
