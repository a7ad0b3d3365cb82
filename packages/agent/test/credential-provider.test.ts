// Temporary credentials and key rotation against the fake gateway, which checks every RSA-PSS
// signature with the public key it holds: renewal at half-life, rotation on UpdateKeyPair and
// by age, and the failure cases where the node must neither lose its key nor keep a dead one.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AgentError,
  AgentState,
  CredentialProvider,
  createHttpClient,
  createLogger,
  encodePublicKeyForApi,
  generateNodeKey,
  registerNode,
  resolveAgentConfig,
  SsmClient,
  type Registration,
} from '../src/index.js';
import { ACTIVATION_CODE, ACTIVATION_ID, FakeGateway, REGION } from './fake-gateway.js';
import { waitFor } from './session-harness.js';

let dir: string;
let gateway: FakeGateway;
let registration: Registration;
let state: AgentState;
const providers: CredentialProvider[] = [];
const log = createLogger('error', () => undefined);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-credentials-'));
  gateway = await FakeGateway.start();
  const config = resolveAgentConfig(
    'register',
    [
      '--server',
      gateway.url,
      '--activation-code',
      ACTIVATION_CODE,
      '--activation-id',
      ACTIVATION_ID,
      '--state-dir',
      dir,
    ],
    {},
    '/',
  );
  registration = await registerNode(config, log);
  state = new AgentState(dir);
});

afterEach(async () => {
  for (const provider of providers.splice(0)) provider.stop();
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

async function provider(
  options: {
    keyRotationDays?: number;
    registration?: Registration;
    rejected?: (error: AgentError) => void;
  } = {},
): Promise<CredentialProvider> {
  const created = new CredentialProvider({
    state,
    registration: options.registration ?? registration,
    ssm: new SsmClient({
      serverUrl: gateway.url,
      region: REGION,
      http: createHttpClient(undefined),
    }),
    keyRotationDays: options.keyRotationDays ?? 30,
    backoff: { baseMs: 10, capMs: 50 },
    log,
    onRegistrationRejected: options.rejected ?? (() => undefined),
  });
  providers.push(created);
  await created.start();
  return created;
}

/** Whether the gateway now holds the node's current private-key.pem as its public key. */
async function gatewayHoldsCurrentKey(): Promise<boolean> {
  const key = await state.readPrivateKey();
  const held = gateway.nodes
    .get(registration.instanceId)!
    .publicKey.export({ format: 'der', type: 'spki' });
  return encodePublicKeyForApi(key) === held.toString('base64');
}

describe('CredentialProvider', () => {
  it('fetches once, caches (also on disk) and renews at half-life', async () => {
    gateway.credentialLifetimeMs = 2500; // renewal due after ~1.25 s
    const credentials = await provider();
    const first = await credentials.current();
    expect(await credentials.current()).toBe(first);
    expect(gateway.calls('RequestManagedInstanceRoleToken')).toHaveLength(1);
    expect((await state.readCredentials())?.accessKeyId).toBe(first.accessKeyId);
    await waitFor(
      () => gateway.calls('RequestManagedInstanceRoleToken').length === 2,
      'the half-life renewal',
      4000,
    );
    await waitFor(
      async () => (await credentials.current()).accessKeyId !== first.accessKeyId,
      'new credentials',
    );
  });

  it('starts from cached credentials without asking the server', async () => {
    const first = await (await provider()).current();
    const again = await provider();
    expect((await again.current()).accessKeyId).toBe(first.accessKeyId);
    expect(gateway.calls('RequestManagedInstanceRoleToken')).toHaveLength(1);
  });

  it('fetches new credentials after invalidate()', async () => {
    const credentials = await provider();
    const first = await credentials.current();
    credentials.invalidate(first);
    expect((await credentials.current()).accessKeyId).not.toBe(first.accessKeyId);
  });

  it('rotates the key when the server asks, signing the update with the old key', async () => {
    gateway.requestKeyUpdate = true;
    const before = (await state.readPrivateKey()).export({ format: 'pem', type: 'pkcs8' });
    const credentials = await provider();
    await credentials.current();
    await waitFor(
      () => gateway.calls('UpdateManagedInstancePublicKey').length === 1,
      'the key update',
    );
    await waitFor(
      () => gateway.calls('RequestManagedInstanceRoleToken').length === 2,
      'the verification',
    );
    await waitFor(
      async () =>
        (await state.readRegistration())?.privateKeyCreatedAt !== registration.privateKeyCreatedAt,
      'the new key date',
    );
    const after = (await state.readPrivateKey()).export({ format: 'pem', type: 'pkcs8' });
    expect(after).not.toEqual(before);
    expect(await state.readPendingKey()).toBeUndefined();
    expect(await gatewayHoldsCurrentKey()).toBe(true);
  });

  it('rotates a key older than --key-rotation-days', async () => {
    const old = {
      ...registration,
      privateKeyCreatedAt: new Date(Date.now() - 31 * 86_400_000).toISOString(),
    };
    await state.writeRegistration(old);
    const credentials = await provider({ registration: old });
    await credentials.current();
    await waitFor(
      () => gateway.calls('UpdateManagedInstancePublicKey').length === 1,
      'the key update',
    );
    await waitFor(
      async () => (await state.readPendingKey()) === undefined && (await gatewayHoldsCurrentKey()),
      'the switch',
    );
  });

  it('keeps the old key when the server refuses the new one', async () => {
    gateway.requestKeyUpdate = true;
    gateway.fault = 'refuse-key-update';
    const credentials = await provider();
    await credentials.current();
    await waitFor(
      () => gateway.calls('UpdateManagedInstancePublicKey').length === 1,
      'the refused update',
    );
    await waitFor(
      async () => (await state.readPendingKey()) === undefined,
      'the pending key to go',
    );
    expect(await gatewayHoldsCurrentKey()).toBe(true);
    credentials.invalidate(await credentials.current());
    await credentials.current(); // the old key still works
  });

  it('recovers when the answer to the key update is lost: the pending key is tried and kept', async () => {
    gateway.requestKeyUpdate = true;
    gateway.fault = 'drop-after-key-update';
    const credentials = await provider();
    await credentials.current();
    await waitFor(() => gateway.calls('UpdateManagedInstancePublicKey').length === 1, 'the update');
    await waitFor(async () => (await state.readPendingKey()) !== undefined, 'the pending key');
    // The server holds the new key; private-key.pem is still the old one.
    expect(await gatewayHoldsCurrentKey()).toBe(false);
    credentials.invalidate(await credentials.current());
    await credentials.current();
    expect(await state.readPendingKey()).toBeUndefined();
    expect(await gatewayHoldsCurrentKey()).toBe(true);
  });

  it('drops a pending key the server never took', async () => {
    await state.writePendingKey(await generateNodeKey());
    const credentials = await provider();
    await credentials.current();
    expect(await state.readPendingKey()).toBeUndefined();
    expect(await gatewayHoldsCurrentKey()).toBe(true);
  });

  it('gives up with RegistrationRejected when the server refuses every key', async () => {
    gateway.nodes.delete(registration.instanceId);
    const rejected: AgentError[] = [];
    const credentials = await provider({ rejected: (error) => rejected.push(error) });
    await expect(credentials.current()).rejects.toMatchObject({ code: 'RegistrationRejected' });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.message).toMatch(/UnrecognizedClientException/);
  });
});
