// The web console's server side: sign-in with an IAM login profile, the HttpOnly SameSite
// cookie plus CSRF header that authenticate console calls to the very same API endpoint, the
// policy engine deciding them exactly as for a SigV4 request (a user without permission is
// refused), the audit trail recording sign-in and the calls, sign-out, and lockout after
// repeated wrong passwords.

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticatorCode, startTestServer, type TestServer } from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: TestServer;
const PASSWORD = 'Correct-Horse-42!';

function signIn(userName: string, password = PASSWORD) {
  return signInWith(userName, password, undefined);
}

async function signInWith(
  userName: string,
  password: string,
  mfaCode: string | undefined,
  newPassword?: string,
) {
  const response = await fetch(`${server.url}/console/api/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      userName,
      password,
      ...(mfaCode === undefined ? {} : { mfaCode }),
      ...(newPassword === undefined ? {} : { newPassword }),
    }),
  });
  const cookie = response.headers.get('set-cookie') ?? '';
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, cookie, body };
}

/** A console call to the JSON API, as the page makes it. */
async function consoleCall(
  target: string,
  input: object,
  auth: { cookie: string; csrf?: string | undefined },
) {
  const response = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      cookie: auth.cookie.split(';')[0]!,
      ...(auth.csrf === undefined ? {} : { 'x-openssm-csrf': auth.csrf }),
    },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startTestServer();
  const { iam } = server.server.services;
  const now = Date.now();
  for (const userName of ['operator', 'nobody', 'locked', 'mfa-user', 'new-hire', 'timed']) {
    await iam.users.create(userName, '/', [], now);
    await iam.users.setPassword(userName, PASSWORD, userName === 'new-hire', now, true);
  }
  await iam.policies.putInline(
    'user',
    'operator',
    'ReadNodes',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ssm:DescribeInstanceInformation', Resource: '*' }],
    }),
  );
  await iam.policies.putInline(
    'user',
    'mfa-user',
    'OwnMfaAndReadWithMfa',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:DeactivateMFADevice'],
          Resource: 'arn:openssm:iam::000000000000:user/${aws:username}',
        },
        {
          Effect: 'Allow',
          Action: 'ssm:DescribeInstanceInformation',
          Resource: '*',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
      ],
    }),
  );
});

afterAll(async () => {
  await server.close();
});

describe('console sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict cookie and returns a CSRF token', async () => {
    const { status, cookie, body } = await signIn('operator');
    expect(status).toBe(200);
    expect(cookie).toMatch(/^openssm-console=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure'); // plain HTTP on loopback
    expect(body['userName']).toBe('operator');
    expect(body['arn']).toMatch(/:user\/operator$/);
    expect(typeof body['csrfToken']).toBe('string');
  });

  it('authorizes a cookie call as the user, through the policy engine', async () => {
    const { cookie, body } = await signIn('operator');
    const csrf = body['csrfToken'] as string;
    const allowed = await consoleCall(
      'AmazonSSM.DescribeInstanceInformation',
      {},
      { cookie, csrf },
    );
    expect(allowed.status).toBe(200);
    expect(allowed.body).toHaveProperty('InstanceInformationList');
    const denied = await consoleCall(
      'AmazonSSM.DescribeSessions',
      { State: 'Active' },
      { cookie, csrf },
    );
    expect(denied.status).toBe(400);
    expect(denied.body['__type']).toBe('AccessDeniedException');
    expect(denied.body['message']).toContain(
      'user/operator is not authorized to perform: ssm:DescribeSessions',
    );
  });

  it('denies the same request for a user without permission', async () => {
    const { cookie, body } = await signIn('nobody');
    const denied = await consoleCall(
      'AmazonSSM.DescribeInstanceInformation',
      {},
      { cookie, csrf: body['csrfToken'] as string },
    );
    expect(denied.body['__type']).toBe('AccessDeniedException');
    expect(denied.body['message']).toContain('user/nobody is not authorized');
    await server.server.services.audit.flush();
    const events = await server.server.services.audit.lookup({ username: 'nobody' }, { limit: 50 });
    const names = events.items.map((event) => event.eventName);
    expect(names).toContain('DescribeInstanceInformation');
    expect(names).toContain('ConsoleSignIn');
  });

  it('refuses a cookie without the CSRF token, and after sign-out', async () => {
    const { cookie, body } = await signIn('operator');
    const csrf = body['csrfToken'] as string;
    const noCsrf = await consoleCall('AmazonSSM.DescribeInstanceInformation', {}, { cookie });
    expect(noCsrf.body['__type']).toBe('MissingAuthenticationTokenException');
    const wrongCsrf = await consoleCall(
      'AmazonSSM.DescribeInstanceInformation',
      {},
      { cookie, csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
    );
    expect(wrongCsrf.body['__type']).toBe('MissingAuthenticationTokenException');
    const out = await fetch(`${server.url}/console/api/sign-out`, {
      method: 'POST',
      headers: { cookie: cookie.split(';')[0]!, 'x-openssm-csrf': csrf },
    });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const after = await consoleCall('AmazonSSM.DescribeInstanceInformation', {}, { cookie, csrf });
    expect(after.body['__type']).toBe('UnrecognizedClientException');
  });

  it('refuses wrong passwords with one message and locks the user after a burst', async () => {
    const wrong = await signIn('locked', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body['__type']).toBe('ConsoleSignInFailed');
    const unknown = await signIn('no-such-user', 'whatever');
    expect(unknown.body['message']).toBe(wrong.body['message']);
    for (let i = 0; i < 5; i++) await signIn('locked', `wrong-${String(i)}`);
    const right = await signIn('locked');
    expect(right.status).toBe(429);
    expect(right.body['__type']).toBe('ThrottlingException');
    // Another user from the same address is not locked out by it.
    expect((await signIn('operator')).status).toBe(200);
  });

  it('takes as long to refuse an unknown user as a wrong password, so timing names no user', async () => {
    const elapsed = async (userName: string) => {
      const started = performance.now();
      expect((await signIn(userName, 'not-the-password')).status).toBe(401);
      return performance.now() - started;
    };
    // Interleaved, so a machine that gets busier weighs on both; the password hash (scrypt,
    // tens of milliseconds) dominates either way, where a lookup alone is about a millisecond.
    const wrongPassword = [await elapsed('timed'), await elapsed('timed')];
    const unknownUser = [await elapsed('no-such-user-1'), await elapsed('no-such-user-2')];
    expect(Math.min(...unknownUser)).toBeGreaterThan(0.4 * Math.min(...wrongPassword));
  });

  it('makes a user whose password must be reset choose a new one before signing in', async () => {
    const first = await signIn('new-hire');
    expect(first.status).toBe(401);
    expect(first.body['__type']).toBe('ConsolePasswordResetRequired');
    expect(first.cookie).toBe('');
    const weak = await signInWith('new-hire', PASSWORD, undefined, 'short');
    expect(weak.body['__type']).toBe('PasswordPolicyViolation');
    const same = await signInWith('new-hire', PASSWORD, undefined, PASSWORD);
    expect(same.body['__type']).toBe('PasswordPolicyViolation');
    const changed = await signInWith('new-hire', PASSWORD, undefined, 'Brand-New-Pass-7');
    expect(changed.status).toBe(200);
    expect(changed.cookie).toMatch(/^openssm-console=/);
    expect((await signIn('new-hire')).body['__type']).toBe('ConsoleSignInFailed');
    expect((await signIn('new-hire', 'Brand-New-Pass-7')).status).toBe(200);
  });

  it('serves the console page with headers that keep it from being framed', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const page = await fetch(`${server.url}/console/nodes`);
    expect([200, 503]).toContain(page.status);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const escape = await fetch(`${server.url}/console/..%2f..%2fpackage.json`);
    expect(escape.status).toBe(404);
  });
});

describe('console sessions in storage', () => {
  const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;
  const tokenOf = (setCookie: string) =>
    cookieOf(setCookie).slice(cookieOf(setCookie).indexOf('=') + 1);

  async function describeNodes(url: string, cookie: string, csrf: string) {
    const response = await fetch(`${url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.DescribeInstanceInformation',
        cookie: cookieOf(cookie),
        'x-openssm-csrf': csrf,
      },
      body: '{}',
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('keeps a signed-in cookie across a server restart, storing only its hash; sign-out revokes it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'openssm-console-restart-'));
    let first: TestServer | undefined = await startTestServer({ dataDir });
    let second: TestServer | undefined;
    try {
      await first.server.services.iam.users.create('restarter', '/', [], Date.now());
      await first.server.services.iam.users.setPassword(
        'restarter',
        PASSWORD,
        false,
        Date.now(),
        true,
      );
      await first.server.services.iam.policies.putInline(
        'user',
        'restarter',
        'ReadNodes',
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'ssm:DescribeInstanceInformation', Resource: '*' },
          ],
        }),
      );
      const signedIn = await fetch(`${first.url}/console/api/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'restarter', password: PASSWORD }),
      });
      const cookie = signedIn.headers.get('set-cookie') ?? '';
      const csrf = ((await signedIn.json()) as { csrfToken: string }).csrfToken;
      expect((await describeNodes(first.url, cookie, csrf)).status).toBe(200);
      await first.close();
      first = undefined;

      second = await startTestServer({ dataDir });
      const storage = second.server.storage.iam.consoleSessions;
      const token = tokenOf(cookie);
      // At rest: the token's SHA-256, never the token.
      expect(await storage.get(token)).toBeUndefined();
      expect(await storage.get(createHash('sha256').update(token).digest('hex'))).toBeDefined();

      const session = await fetch(`${second.url}/console/api/session`, {
        headers: { cookie: cookieOf(cookie) },
      });
      expect(session.status).toBe(200);
      expect(((await session.json()) as { csrfToken: string }).csrfToken).toBe(csrf);
      expect((await describeNodes(second.url, cookie, csrf)).status).toBe(200);

      const out = await fetch(`${second.url}/console/api/sign-out`, {
        method: 'POST',
        headers: { cookie: cookieOf(cookie), 'x-openssm-csrf': csrf },
      });
      expect(out.status).toBe(200);
      const after = await describeNodes(second.url, cookie, csrf);
      expect(after.body['__type']).toBe('UnrecognizedClientException');
    } finally {
      await first?.close();
      await second?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('ends every session of a user whose password is changed or removed', async () => {
    const a = await signIn('operator');
    const b = await signIn('operator');
    const csrfA = a.body['csrfToken'] as string;
    const csrfB = b.body['csrfToken'] as string;
    expect((await describeNodes(server.url, a.cookie, csrfA)).status).toBe(200);
    const { iam } = server.server.services;
    await iam.users.setPassword('operator', 'Another-Horse-43!', false, Date.now(), false);
    expect((await describeNodes(server.url, a.cookie, csrfA)).body['__type']).toBe(
      'UnrecognizedClientException',
    );
    expect((await describeNodes(server.url, b.cookie, csrfB)).body['__type']).toBe(
      'UnrecognizedClientException',
    );
    await iam.users.setPassword('operator', PASSWORD, false, Date.now(), false);
    const c = await signIn('operator');
    expect((await describeNodes(server.url, c.cookie, c.body['csrfToken'] as string)).status).toBe(
      200,
    );
    await iam.users.deleteLoginProfile('operator');
    expect(
      (await describeNodes(server.url, c.cookie, c.body['csrfToken'] as string)).body['__type'],
    ).toBe('UnrecognizedClientException');
    await iam.users.setPassword('operator', PASSWORD, false, Date.now(), true);
  });
});

describe('console MFA', () => {
  const code = authenticatorCode;

  async function post(path: string, auth: { cookie: string; csrf: string }, body: object = {}) {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: auth.cookie.split(';')[0]!,
        'x-openssm-csrf': auth.csrf,
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('enrols a TOTP device, then asks for a code at sign-in; the code feeds aws:MultiFactorAuthPresent', async () => {
    const first = await signIn('mfa-user');
    const auth = { cookie: first.cookie, csrf: first.body['csrfToken'] as string };
    const read = () => consoleCall('AmazonSSM.DescribeInstanceInformation', {}, auth);
    expect((await read()).body['__type']).toBe('AccessDeniedException');

    const enrolled = await post('/console/api/mfa/enrol', auth);
    expect(enrolled.status).toBe(200);
    const secret = enrolled.body['secret'] as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolled.body['uri']).toBe(
      `otpauth://totp/OpenSSM%3Amfa-user?secret=${secret}&issuer=OpenSSM&algorithm=SHA1&digits=6&period=30`,
    );
    const step = Math.floor(Date.now() / 30_000);
    expect(
      (
        await post('/console/api/mfa/enable', auth, {
          code: '000000' === code(secret, step) ? '111111' : '000000',
        })
      ).status,
    ).toBe(400);
    expect((await post('/console/api/mfa/enable', auth, { code: code(secret, step) })).status).toBe(
      200,
    );
    // This session has shown a code now: the condition holds.
    expect((await read()).status).toBe(200);

    const noCode = await signIn('mfa-user');
    expect(noCode.status).toBe(401);
    expect(noCode.body['__type']).toBe('ConsoleMfaRequired');
    expect(noCode.cookie).toBe('');
    const replay = await signInWith('mfa-user', PASSWORD, code(secret, step));
    expect(replay.body['__type']).toBe('ConsoleSignInFailed');
    const next = await signInWith('mfa-user', PASSWORD, code(secret, step + 1));
    expect(next.status).toBe(200);
    expect(next.body['multiFactor']).toBe(true);
    const mfaRead = await consoleCall(
      'AmazonSSM.DescribeInstanceInformation',
      {},
      {
        cookie: next.cookie,
        csrf: next.body['csrfToken'] as string,
      },
    );
    expect(mfaRead.status).toBe(200);
  });

  it('refuses enrolment to a user whose policies do not allow it', async () => {
    const { cookie, body } = await signIn('nobody');
    const denied = await post('/console/api/mfa/enrol', {
      cookie,
      csrf: body['csrfToken'] as string,
    });
    expect(denied.body['__type']).toBe('AccessDeniedException');
    expect(denied.body['message']).toContain('iam:CreateVirtualMFADevice');
  });
});
