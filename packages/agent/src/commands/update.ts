// `openssm-agent update` (and the opt-in automatic update): asks the server which agent version
// it advertises (/agent/latest), and when it is newer than this one downloads the bundle for
// this platform, checks its SHA-256, unpacks it beside the installed one and swaps the two
// directories. The state directory is not touched, so the node keeps its registration; the
// running agent is then asked to stop and its service manager (systemd, or the installer's
// supervisor) starts the new one.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AgentError } from '../agent-error.js';
import type { AgentConfig } from '../config/agent-config.js';
import type { Logger } from '../logging/logger.js';
import { downloadVerified } from '../net/download.js';
import { createHttpClient } from '../net/http-client.js';
import { AgentState, type Registration } from '../state/agent-state.js';
import { isAlive, readRuntimeStatus } from '../state/runtime-status.js';
import { createServerTransport, tlsPolicyOf } from './agent.js';

const execFileAsync = promisify(execFile);

export interface UpdateOutcome {
  readonly from: string;
  readonly to: string;
  readonly updated: boolean;
}

interface Advertised {
  readonly version: string;
  readonly url: string;
  readonly sha256: string;
}

/** `linux-x64` or `linux-arm64`, the platform names of the bundles. */
export function bundlePlatform(arch: string = process.arch): string {
  return `linux-${arch === 'arm64' ? 'arm64' : 'x64'}`;
}

/** 0.10.0 > 0.9.9. */
export function isNewer(candidate: string, current: string): boolean {
  const a = candidate.split('.').map(Number);
  const b = current.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

export async function updateAgent(
  config: Pick<AgentConfig, 'stateDir' | 'caFile' | 'caFingerprint' | 'proxy' | 'installDir'>,
  log: Logger,
  options: { readonly restartRunning: boolean } = { restartRunning: true },
): Promise<UpdateOutcome> {
  const registration = await new AgentState(config.stateDir).readRegistration();
  if (registration === undefined) {
    throw new AgentError('NotRegistered', `no registration in ${config.stateDir}`);
  }
  const installed = (
    await readFile(join(config.installDir, 'VERSION'), 'utf8').catch(() => '')
  ).trim();
  if (installed === '') {
    throw new AgentError(
      'StateInvalid',
      `${config.installDir} holds no agent bundle (update works for agents installed by install.sh)`,
    );
  }
  const connect = await createServerTransport(
    registration.serverUrl,
    tlsPolicyOf(config, registration),
    config.proxy,
  );
  const latest = await advertised(registration, connect);
  if (!isNewer(latest.version, installed)) {
    log.info('the agent is up to date', { version: installed });
    return { from: installed, to: latest.version, updated: false };
  }
  const parent = dirname(config.installDir);
  const work = await mkdtemp(join(parent, '.openssm-agent-update-'));
  try {
    const archive = join(work, 'bundle.tar.gz');
    await downloadVerified(
      new URL(latest.url, registration.serverUrl),
      archive,
      latest.sha256,
      connect,
    );
    await execFileAsync('tar', ['-xzf', archive, '-C', work]);
    await writeFile(join(work, 'openssm-agent', '.bundle-sha256'), `${latest.sha256}\n`);
    // Two renames on one file system: the installed directory is whole at every moment but
    // the one between them.
    const previous = `${config.installDir}.old`;
    await rm(previous, { recursive: true, force: true });
    await rename(config.installDir, previous);
    await rename(join(work, 'openssm-agent'), config.installDir);
    await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log.info('agent updated', { from: installed, to: latest.version });
  if (options.restartRunning) {
    const running = await readRuntimeStatus(config.stateDir);
    if (running !== undefined && running.pid !== process.pid && isAlive(running.pid)) {
      // Its service manager starts it again, from the new bundle.
      process.kill(running.pid, 'SIGTERM');
    }
  }
  return { from: installed, to: latest.version, updated: true };
}

async function advertised(
  registration: Registration,
  connect: Awaited<ReturnType<typeof createServerTransport>>,
): Promise<Advertised> {
  const http = createHttpClient(connect);
  const response = await http({
    method: 'GET',
    url: new URL('/agent/latest', registration.serverUrl),
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) {
    throw new AgentError(
      'ServerError',
      `the server advertises no agent version (GET /agent/latest: HTTP ${response.status})`,
    );
  }
  const platform = bundlePlatform();
  let parsed: {
    version?: unknown;
    platforms?: Record<string, { url?: unknown; sha256?: unknown }>;
  };
  try {
    parsed = JSON.parse(response.body.toString('utf8')) as typeof parsed;
  } catch {
    throw new AgentError('ResponseInvalid', '/agent/latest is not JSON');
  }
  const bundle = parsed.platforms?.[platform];
  if (
    typeof parsed.version !== 'string' ||
    !/^\d+\.\d+\.\d+$/.test(parsed.version) ||
    typeof bundle?.url !== 'string' ||
    !bundle.url.startsWith('/agent/') ||
    typeof bundle.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(bundle.sha256)
  ) {
    throw new AgentError('ResponseInvalid', `/agent/latest has no usable ${platform} bundle`);
  }
  return { version: parsed.version, url: bundle.url, sha256: bundle.sha256 };
}
