// X-Forwarded-For is believed only from --trusted-proxies: behind a trusted proxy the caller is
// the right-most untrusted address (what sign-in throttling, aws:SourceIp and the audit trail's
// sourceIPAddress see); from any other peer the header is ignored, so a client cannot pick its
// own address to dodge the failure throttle or satisfy an IP condition.

import { startTestServer, type TestServer } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'Correct-Horse-42!';
/** Enough failed sign-ins to spend the per-source burst (20) with a margin for refill. */
const MAX_FAILURES = 40;

async function addUser(server: TestServer, userName: string, policy: object): Promise<void> {
  const { iam } = server.server.services;
  await iam.users.create(userName, '/', [], Date.now());
  await iam.users.setPassword(userName, PASSWORD, false, Date.now(), true);
  await iam.policies.putInline('user', userName, 'Policy', JSON.stringify(policy));
}

function signIn(server: TestServer, userName: string, password: string, forwardedFor?: string) {
  return fetch(`${server.url}/console/api/sign-in`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ userName, password }),
  });
}

async function signedIn(server: TestServer, userName: string, forwardedFor?: string) {
  const response = await signIn(server, userName, PASSWORD, forwardedFor);
  expect(response.status).toBe(200);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

async function describeNodes(
  server: TestServer,
  auth: { cookie: string; csrf: string },
  forwardedFor: string,
) {
  const response = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.DescribeInstanceInformation',
      'x-forwarded-for': forwardedFor,
      cookie: auth.cookie,
      'x-openssm-csrf': auth.csrf,
    },
    body: '{}',
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The sourceIPAddress of the newest audit record of `eventName` by `userName`. */
async function sourceOf(server: TestServer, userName: string, eventName: string) {
  await server.server.services.audit.flush();
  const page = await server.server.services.audit.lookup(
    { username: userName, eventName },
    { limit: 1 },
  );
  const record = JSON.parse(page.items[0]?.record ?? '{}') as { sourceIPAddress?: string };
  return record.sourceIPAddress;
}

/** Fails sign-ins (unknown users, so no per-user lock) until the source is throttled. */
async function failUntilThrottled(server: TestServer, forwardedFor: () => string) {
  for (let i = 0; i < MAX_FAILURES; i++) {
    const response = await signIn(server, `nobody-${String(i)}`, 'wrong', forwardedFor());
    if (response.status === 429) return i;
  }
  throw new Error(`no throttling after ${String(MAX_FAILURES)} failures`);
}

const READ_FROM_DOCUMENTATION_NET = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'ssm:DescribeInstanceInformation',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    },
  ],
};

describe('behind a trusted proxy', () => {
  let server: TestServer;

  beforeAll(async () => {
    // The test's own connections come from 127.0.0.1: it plays the proxy (and one behind it).
    server = await startTestServer({ extraArgs: ['--trusted-proxies', '127.0.0.1, 10.0.0.0/8'] });
    await addUser(server, 'proxied', READ_FROM_DOCUMENTATION_NET);
  });
  afterAll(async () => server.close());

  it('takes the right-most untrusted address: sign-in audit, API audit and aws:SourceIp agree', async () => {
    // The client wrote 198.51.100.66 itself; the proxies appended the real 203.0.113.7, then 10.1.2.3.
    const chain = '198.51.100.66, 203.0.113.7, 10.1.2.3';
    const auth = await signedIn(server, 'proxied', chain);
    expect(await sourceOf(server, 'proxied', 'ConsoleSignIn')).toBe('203.0.113.7');
    expect((await describeNodes(server, auth, chain)).status).toBe(200);
    expect(await sourceOf(server, 'proxied', 'DescribeInstanceInformation')).toBe('203.0.113.7');
    // From outside 203.0.113.0/24 the same session is refused by the condition.
    const outside = await describeNodes(server, auth, '203.0.113.7, 198.51.100.66');
    expect(outside.body['__type']).toBe('AccessDeniedException');
  });

  it('throttles failed sign-ins per real client, not per proxy', async () => {
    await failUntilThrottled(server, () => '192.0.2.10');
    expect((await signIn(server, 'nobody-x', 'wrong', '192.0.2.10')).status).toBe(429);
    // Another client behind the same proxy is not locked out by it.
    expect((await signIn(server, 'proxied', PASSWORD, '192.0.2.11')).status).toBe(200);
  });

  it('refuses a forwarded entry that is not an address', async () => {
    const response = await signIn(server, 'proxied', PASSWORD, 'not-an-address');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe('ValidationException');
  });
});

describe('without a trusted proxy', () => {
  let server: TestServer;

  beforeAll(async () => {
    // 127.0.0.1 (the test) is not in the list: its X-Forwarded-For must be ignored.
    server = await startTestServer({ extraArgs: ['--trusted-proxies', '10.0.0.0/8'] });
    await addUser(server, 'direct', READ_FROM_DOCUMENTATION_NET);
  });
  afterAll(async () => server.close());

  it('ignores a spoofed X-Forwarded-For in the audit trail and in aws:SourceIp', async () => {
    const auth = await signedIn(server, 'direct', '203.0.113.7');
    expect(await sourceOf(server, 'direct', 'ConsoleSignIn')).toBe('127.0.0.1');
    const denied = await describeNodes(server, auth, '203.0.113.7');
    expect(denied.body['__type']).toBe('AccessDeniedException');
    expect(await sourceOf(server, 'direct', 'DescribeInstanceInformation')).toBe('127.0.0.1');
  });

  it('cannot dodge the failure throttle by inventing a new address for every try', async () => {
    let n = 0;
    await failUntilThrottled(server, () => `198.51.100.${String(++n)}`);
    expect((await signIn(server, 'direct', PASSWORD, '198.51.100.200')).status).toBe(429);
  });
});
