// The server's public agent downloads (issue 9) with a bundle directory made by hand: the
// newest version is advertised, bundles are served with their checksum, names that are not a
// version and a platform never reach the file system, and /install.sh carries the server's
// URL and the checksums. Without --agent-bundle-dir every path says there is nothing to serve.

import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let server: TestServer;
const bundles: Record<string, { bytes: Buffer; sha256: string }> = {};

async function addBundle(version: string, platform: string): Promise<void> {
  const bytes = Buffer.from(`bundle ${version} ${platform}`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const base = join(dir, version, platform);
  await mkdir(base, { recursive: true });
  await writeFile(join(base, 'openssm-agent.tar.gz'), bytes);
  await writeFile(join(base, 'manifest.json'), JSON.stringify({ version, platform, sha256 }));
  bundles[`${version}/${platform}`] = { bytes, sha256 };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openssm-bundles-'));
  await addBundle('0.9.0', 'linux-x64');
  await addBundle('0.10.0', 'linux-x64');
  await addBundle('0.10.0', 'linux-arm64');
  await mkdir(join(dir, 'not-a-version'));
  server = await startTestServer({ extraArgs: ['--agent-bundle-dir', dir] });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('agent downloads', () => {
  it('advertises the newest version (numerically) with every platform’s checksum', async () => {
    const response = await fetch(`${server.url}/agent/latest`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      version: '0.10.0',
      platforms: {
        'linux-x64': {
          url: '/agent/0.10.0/linux-x64/openssm-agent.tar.gz',
          sha256: bundles['0.10.0/linux-x64']!.sha256,
          size: bundles['0.10.0/linux-x64']!.bytes.length,
        },
        'linux-arm64': {
          url: '/agent/0.10.0/linux-arm64/openssm-agent.tar.gz',
          sha256: bundles['0.10.0/linux-arm64']!.sha256,
          size: bundles['0.10.0/linux-arm64']!.bytes.length,
        },
      },
    });
  });

  it('serves a bundle with its checksum, and nothing for other names', async () => {
    const response = await fetch(`${server.url}/agent/0.9.0/linux-x64/openssm-agent.tar.gz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-openssm-sha256')).toBe(bundles['0.9.0/linux-x64']!.sha256);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bundles['0.9.0/linux-x64']!.bytes);
    for (const path of [
      '/agent/0.9.0/linux-x64/manifest.json',
      '/agent/0.9.0/linux-arm64/openssm-agent.tar.gz',
      '/agent/not-a-version/linux-x64/openssm-agent.tar.gz',
      '/agent/0.9.0/..%2F..%2Fetc/openssm-agent.tar.gz',
      '/agent/..%2F0.9.0/linux-x64/openssm-agent.tar.gz',
    ]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it('fills install.sh in with the server URL and the newest checksums', async () => {
    const response = await fetch(`${server.url}/install.sh`);
    expect(response.status).toBe(200);
    const script = await response.text();
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain(`SERVER_URL='${server.url}'`);
    expect(script).toContain(`AGENT_VERSION='0.10.0'`);
    expect(script).toContain(`SHA256_LINUX_X64='${bundles['0.10.0/linux-x64']!.sha256}'`);
    expect(script).toContain(`SHA256_LINUX_ARM64='${bundles['0.10.0/linux-arm64']!.sha256}'`);
    expect(script).toContain(`SERVER_CA_FINGERPRINT=''`);
    expect(script).not.toMatch(/__OPENSSM_[A-Z0-9_]+__/);
  });

  it('says there is nothing to serve without --agent-bundle-dir', async () => {
    const bare = await startTestServer();
    try {
      for (const path of ['/install.sh', '/agent/latest']) {
        const response = await fetch(`${bare.url}${path}`);
        expect(response.status).toBe(404);
        expect(await response.text()).toContain('no agent bundles');
      }
    } finally {
      await bare.close();
    }
  });
});
