// `openssm-agent status` on state directories in every shape: missing, unregistered, healthy,
// and with the problems it must point out (modes, unreadable files), without contacting anyone.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AgentState,
  PACKAGE_VERSION,
  describeStatus,
  generateNodeKey,
  type Registration,
} from '../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-status-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REGISTRATION: Registration = {
  instanceId: 'mi-0123456789abcdef0',
  region: 'eu-west-1',
  serverUrl: 'https://ssm.example.com',
  fingerprint: 'f',
  privateKeyCreatedAt: '2026-01-01T00:00:00.000Z',
};

async function registered(registration: Registration = REGISTRATION): Promise<AgentState> {
  const state = new AgentState(dir);
  await state.ensureDir();
  await state.writeRegistration(registration);
  await state.writePrivateKey(await generateNodeKey());
  return state;
}

describe('describeStatus', () => {
  it('says a missing or empty state directory is not registered', async () => {
    expect(await describeStatus({ stateDir: join(dir, 'none') })).toMatchObject({
      ok: false,
      lines: expect.arrayContaining([expect.stringMatching(/missing/)]) as string[],
    });
    chmodSync(dir, 0o700);
    const report = await describeStatus({ stateDir: dir });
    expect(report.ok).toBe(false);
    expect(report.lines).toContain('Not registered: run `openssm-agent register`.');
  });

  it('describes a healthy registration', async () => {
    const state = await registered();
    await state.writeCredentials({
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiresAt: 2_000_000_000_000,
      obtainedAt: 1,
    });
    const report = await describeStatus({ stateDir: dir }, 1_900_000_000_000);
    expect(report.ok).toBe(true);
    expect(report.lines).toEqual([
      `State directory: ${dir}`,
      'Instance ID: mi-0123456789abcdef0',
      `Version: ${PACKAGE_VERSION}`,
      'Agent: not running',
      'Server: https://ssm.example.com',
      'Region: eu-west-1',
      'TLS trust: system CAs',
      'Private key: RSA 2048 bits, created 2026-01-01T00:00:00.000Z',
      'Credentials: valid until 2033-05-18T03:33:20.000Z',
    ]);
    expect(JSON.stringify(report)).not.toContain('"S"'); // never a secret
  });

  it.each([
    [{ caFingerprint: 'AB'.repeat(32) }, `TLS trust: pinned SHA-256 ${'AB'.repeat(32)}`],
    [{ caFile: '/etc/openssm/ca.pem' }, 'TLS trust: system CAs and /etc/openssm/ca.pem'],
    [{ serverUrl: 'http://127.0.0.1:8443' }, 'TLS trust: none (plain http)'],
  ])('shows how the server is trusted %#', async (change, line) => {
    await registered({ ...REGISTRATION, ...change });
    expect((await describeStatus({ stateDir: dir })).lines).toContain(line);
  });

  it('points out loose modes, a broken key, a pending key and expired credentials', async () => {
    const state = await registered();
    chmodSync(dir, 0o755);
    chmodSync(state.registrationPath, 0o644);
    writeFileSync(state.privateKeyPath, 'garbage');
    await state.writePendingKey(await generateNodeKey());
    await state.writeCredentials({
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiresAt: 1000,
      obtainedAt: 1,
    });
    const report = await describeStatus({ stateDir: dir });
    expect(report.ok).toBe(false);
    expect(report.lines).toEqual(
      expect.arrayContaining([
        `State directory: ${dir} has mode 0755, expected 0700  [problem]`,
        `${state.registrationPath} has mode 0644, expected 0600  [problem]`,
        expect.stringMatching(
          /^Private key: StateInvalid: .* is not a usable RSA private key {2}\[problem\]$/,
        ),
        'Rotated key: pending (settled at the next credential request)',
        'Credentials: expired at 1970-01-01T00:00:01.000Z (renewed when the agent runs)',
      ]),
    );
  });

  it('reports an unreadable registration', async () => {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o700);
    writeFileSync(join(dir, 'registration.json'), '{}');
    const report = await describeStatus({ stateDir: dir });
    expect(report.ok).toBe(false);
    expect(report.lines.at(-1)).toMatch(/^Registration: StateInvalid: .*instanceId/);
  });
});
