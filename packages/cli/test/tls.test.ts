// wss:// data channels and https:// API calls with a private CA: refused without it, trusted
// through AWS_CA_BUNDLE (which Node and the SDK ignore by themselves). NODE_EXTRA_CA_CERTS, read
// by Node at startup, is tested with the real binary in plugin-binary.test.ts.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runPlugin } from '../src/plugin/run-plugin.js';
import { createRetryPolicy } from '../src/session/retry-policy.js';
import { FakeGateway } from './helpers/fake-gateway.js';
import { FakeSsm } from './helpers/fake-ssm.js';
import { waitFor } from './helpers/poll.js';
import { createTestCa, hasOpenssl, type TestCa } from '@openssm/testkit';
import { createTestHost } from './helpers/test-host.js';

const FAST_RETRY = createRetryPolicy({ initialDelayMs: 5, maxDelayMs: 100, maxRetries: 1 });
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' };
let ca: TestCa;

beforeAll(() => {
  if (hasOpenssl) ca = createTestCa();
});
afterAll(() => ca?.dispose());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const gateway = await FakeGateway.start({ tls: ca.tls });
  const ssm = await FakeSsm.start(
    {
      ResumeSession: (body) => {
        gateway.acceptedTokens.add('token-1');
        return { SessionId: body['SessionId'], TokenValue: 'token-1' };
      },
      TerminateSession: (body) => ({ SessionId: body['SessionId'] }),
    },
    ca.tls,
  );
  cleanups.push(
    () => gateway.close(),
    () => ssm.close(),
  );
  const args = [
    JSON.stringify({
      SessionId: gateway.sessionId,
      TokenValue: gateway.token,
      StreamUrl: gateway.streamUrl,
    }),
    'us-east-1',
    'StartSession',
    '',
    '{}',
    ssm.url,
  ];
  return { gateway, ssm, args };
}

describe.skipIf(!hasOpenssl)('TLS', () => {
  it('refuses a gateway whose certificate it cannot verify', async () => {
    const { gateway, ssm, args } = await setUp();
    const host = createTestHost({ args, env: { ...CREDENTIALS } });
    expect(await runPlugin(host, { retry: FAST_RETRY })).toBe(0);
    expect(host.stdout.text).toMatch(/Cannot perform start session: .*certificate/);
    expect(gateway.opens).toEqual([]);
    // The goodbye to an endpoint we cannot verify is not delivered either.
    expect(ssm.calls).toEqual([]);
  });

  it('trusts the CA in AWS_CA_BUNDLE for wss:// and for the https:// ResumeSession', async () => {
    const { gateway, ssm, args } = await setUp();
    const host = createTestHost({ args, env: { ...CREDENTIALS, AWS_CA_BUNDLE: ca.caFile } });
    const exit = runPlugin(host, { retry: FAST_RETRY });
    await waitFor(() => gateway.sizes().length === 1, 'the session over wss');
    gateway.dropConnection();
    await waitFor(() => gateway.connected && gateway.opens.length === 2, 'the resumed session');
    expect(ssm.callsTo('ResumeSession')).toHaveLength(1);
    gateway.sendChannelClosed();
    expect(await exit).toBe(0);
    expect(host.stdout.text).toContain('Exiting session with sessionId');
  });
});
