// The state directory's discipline (0700 directory, 0600 files, atomic replacement) and the
// agent's state files: registration, keys (PKCS#8 and PKCS#1), pending key, credential cache.

import { generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AgentError,
  AgentState,
  encodePrivateKeyPem,
  ensureStateDir,
  generateNodeKey,
  parseRegistration,
  readOptionalFile,
  removeFile,
  writeFileAtomic,
  type Registration,
} from '../src/index.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'openssm-state-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const REGISTRATION: Registration = {
  instanceId: 'mi-0123456789abcdef0',
  region: 'us-east-1',
  serverUrl: 'https://ssm.example.com:8443',
  fingerprint: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  caFingerprint: 'AB'.repeat(32),
  privateKeyCreatedAt: '2026-01-01T00:00:00.000Z',
};

describe('state files', () => {
  it('creates the directory 0700 and tightens an existing one', async () => {
    const dir = join(root, 'a', 'b');
    await ensureStateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    chmodSync(dir, 0o755);
    await ensureStateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('writes 0600 files whatever the umask, and replaces them atomically', async () => {
    const path = join(root, 'file.json');
    const previous = process.umask(0);
    try {
      await writeFileAtomic(path, 'one');
    } finally {
      process.umask(previous);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const before = statSync(path).ino;
    await writeFileAtomic(path, 'two');
    // A new inode renamed over the old one: a reader holding the old file still sees "one".
    expect(statSync(path).ino).not.toBe(before);
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(root)).toEqual(['file.json']); // no temporary file left behind
  });

  it('leaves the old content and no temporary file when the write fails', async () => {
    const path = join(root, 'target');
    mkdirSync(path); // rename() of a file over a directory fails
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow();
    expect(readdirSync(root)).toEqual(['target']);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('reads a missing file as undefined and removes files idempotently', async () => {
    expect(await readOptionalFile(join(root, 'nope'))).toBeUndefined();
    await removeFile(join(root, 'nope'));
    await expect(readOptionalFile(root)).rejects.toThrow();
  });
});

describe('AgentState', () => {
  it('round-trips the registration', async () => {
    const state = new AgentState(root);
    expect(await state.readRegistration()).toBeUndefined();
    await state.writeRegistration(REGISTRATION);
    expect(await state.readRegistration()).toEqual(REGISTRATION);
    expect(statSync(state.registrationPath).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ ...REGISTRATION, instanceId: 'node-1' }), /instanceId/],
    [JSON.stringify({ ...REGISTRATION, serverUrl: 'https://x/path' }), /serverUrl/],
    [JSON.stringify({ ...REGISTRATION, region: 'US EAST' }), /region/],
    [JSON.stringify({ ...REGISTRATION, caFingerprint: 'ab' }), /caFingerprint/],
    [JSON.stringify({ ...REGISTRATION, privateKeyCreatedAt: 'yesterday' }), /privateKeyCreatedAt/],
    [JSON.stringify({ ...REGISTRATION, fingerprint: '' }), /fingerprint/],
  ])('refuses a registration file %#', (text, message) => {
    expect(() => parseRegistration(text)).toThrow(AgentError);
    expect(() => parseRegistration(text)).toThrow(message);
  });

  it('keeps the node key as PEM and reads PKCS#1 keys too', async () => {
    const state = new AgentState(root);
    await expect(state.readPrivateKey()).rejects.toMatchObject({ code: 'StateInvalid' });
    const key = await generateNodeKey();
    await state.writePrivateKey(key);
    expect(readFileSync(state.privateKeyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect((await state.readPrivateKey()).equals(key)).toBe(true);
    const pkcs1 = key.export({ format: 'pem', type: 'pkcs1' }).toString();
    writeFileSync(state.privateKeyPath, pkcs1);
    expect((await state.readPrivateKey()).equals(key)).toBe(true);
  });

  it('refuses keys that are not RSA-2048 or better', async () => {
    const state = new AgentState(root);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    writeFileSync(state.privateKeyPath, encodePrivateKeyPem(small));
    await expect(state.readPrivateKey()).rejects.toMatchObject({ code: 'StateInvalid' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    writeFileSync(state.privateKeyPath, ec.export({ format: 'pem', type: 'pkcs8' }).toString());
    await expect(state.readPrivateKey()).rejects.toMatchObject({ code: 'StateInvalid' });
  });

  it('promotes a pending key over the current one', async () => {
    const state = new AgentState(root);
    const [current, pending] = [await generateNodeKey(), await generateNodeKey()];
    await state.writePrivateKey(current);
    expect(await state.readPendingKey()).toBeUndefined();
    await state.writePendingKey(pending);
    await state.promotePendingKey();
    expect((await state.readPrivateKey()).equals(pending)).toBe(true);
    expect(await state.readPendingKey()).toBeUndefined();
    expect(statSync(state.privateKeyPath).mode & 0o777).toBe(0o600);
  });

  it('caches credentials and treats an unreadable cache as none', async () => {
    const state = new AgentState(root);
    const credentials = {
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: 'T',
      expiresAt: 2,
      obtainedAt: 1,
    };
    await state.writeCredentials(credentials);
    expect(await state.readCredentials()).toEqual(credentials);
    expect(statSync(state.credentialsPath).mode & 0o777).toBe(0o600);
    writeFileSync(state.credentialsPath, '{"accessKeyId": 1}');
    expect(await state.readCredentials()).toBeUndefined();
    await state.removeCredentials();
    expect(await state.readCredentials()).toBeUndefined();
  });
});
