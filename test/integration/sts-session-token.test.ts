// STS GetSessionToken with the SDK and /usr/bin/aws: an IAM user's long-term key buys temporary credentials;
// given the user's MFA device (SerialNumber) and a current code (TokenCode) they satisfy
// aws:MultiFactorAuthPresent, as on AWS. Wrong, replayed or foreign-device codes are refused,
// and session credentials cannot call it again.

import {
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
  type GetSessionTokenCommandInput,
} from '@aws-sdk/client-sts';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  authenticatorCode,
  authenticatorStep,
  runAwsCli,
  startTestServer,
  type Credentials,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'Correct-Horse-42!';
let server: TestServer;
let longTerm: Credentials;
let secret: string;
/** The step whose code turned the device on (used once already). */
let enabledAt: number;

const MFA_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice'],
      Resource: 'arn:openssm:iam::000000000000:user/${aws:username}',
    },
    {
      Effect: 'Allow',
      Action: 'ssm:DescribeInstanceInformation',
      Resource: '*',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    },
  ],
};

/** The SDK's clients against the test server, as a given caller. */
function clients(credentials: Credentials) {
  const config = { endpoint: server.url, region: server.region, credentials, maxAttempts: 1 };
  return { sts: new STSClient(config), ssm: new SSMClient(config) };
}

/** The error name of a failed call ('' when it succeeded). */
async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return '';
  } catch (error) {
    return (error as Error).name;
  }
}

const describeNodes = (credentials: Credentials) =>
  clients(credentials).ssm.send(new DescribeInstanceInformationCommand({}));

/** GetSessionToken through the SDK; the issued credentials. */
async function sessionToken(
  input: GetSessionTokenCommandInput,
  credentials = longTerm,
): Promise<Credentials & { expiration: Date }> {
  const { Credentials: issued } = await clients(credentials).sts.send(
    new GetSessionTokenCommand(input),
  );
  return {
    accessKeyId: issued!.AccessKeyId!,
    secretAccessKey: issued!.SecretAccessKey!,
    sessionToken: issued!.SessionToken!,
    expiration: issued!.Expiration!,
  };
}

beforeAll(async () => {
  server = await startTestServer();
  const { iam } = server.server.services;
  await iam.users.create('mfa-cli', '/', [], Date.now());
  await iam.users.create('other', '/', [], Date.now());
  await iam.users.setPassword('mfa-cli', PASSWORD, false, Date.now(), true);
  await iam.policies.putInline('user', 'mfa-cli', 'Mfa', JSON.stringify(MFA_POLICY));
  const key = await iam.users.createAccessKey('mfa-cli', Date.now());
  longTerm = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  // The device is set up as a person does it, in the console.
  const signIn = await fetch(`${server.url}/console/api/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: 'mfa-cli', password: PASSWORD }),
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const post = async (path: string, body: object) =>
    (await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-openssm-csrf': csrfToken },
      body: JSON.stringify(body),
    }).then((response) => response.json())) as Record<string, string>;
  secret = (await post('/console/api/mfa/enrol', {}))['secret']!;
  enabledAt = authenticatorStep();
  expect(
    (await post('/console/api/mfa/enable', { code: authenticatorCode(secret, enabledAt) }))[
      'status'
    ],
  ).toBe('enabled');
}, 60_000);

afterAll(async () => {
  await server.close();
});

describe('sts get-session-token', () => {
  it(
    'gives MFA credentials only for a current code of the caller’s own device',
    { timeout: 60_000 },
    async () => {
      const device = 'arn:aws:iam::000000000000:mfa/mfa-cli';
      // The long-term key alone: the condition key is absent, so the MFA condition fails.
      expect(await failure(describeNodes(longTerm))).toBe('AccessDeniedException');

      // Without a code: temporary credentials that say "no MFA".
      const plain = await sessionToken({ DurationSeconds: 900 });
      expect(plain.accessKeyId).toMatch(/^ASIA/);
      const lifetime = plain.expiration.getTime() - Date.now();
      expect(lifetime).toBeGreaterThan(800_000);
      expect(lifetime).toBeLessThanOrEqual(900_000);
      expect(await failure(describeNodes(plain))).toBe('AccessDeniedException');

      // A wrong code, another user's device, or the code already used to turn the device on.
      const right = authenticatorCode(secret, enabledAt + 1);
      const wrong = right === '000000' ? '111111' : '000000';
      for (const [SerialNumber, TokenCode] of [
        [device, wrong],
        ['arn:aws:iam::000000000000:mfa/other', right],
        [device, authenticatorCode(secret, enabledAt)],
      ] as const) {
        expect(await failure(sessionToken({ SerialNumber, TokenCode }))).toBe('AccessDenied');
      }

      // The next code, through the AWS CLI: credentials that satisfy aws:MultiFactorAuthPresent.
      const { stdout } = await runAwsCli(
        server,
        ['sts', 'get-session-token', '--serial-number', device, '--token-code', right],
        { credentials: longTerm },
      );
      const issued = (JSON.parse(stdout) as { Credentials: Record<string, string> }).Credentials;
      const withMfa: Credentials = {
        accessKeyId: issued['AccessKeyId']!,
        secretAccessKey: issued['SecretAccessKey']!,
        sessionToken: issued['SessionToken']!,
      };
      expect(withMfa.accessKeyId).toMatch(/^ASIA/);
      const nodes = await runAwsCli(server, ['ssm', 'describe-instance-information'], {
        credentials: withMfa,
      });
      expect(JSON.parse(nodes.stdout)).toHaveProperty('InstanceInformationList');
      const identity = await clients(withMfa).sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe('arn:openssm:iam::000000000000:user/mfa-cli');

      // Session credentials cannot mint more of themselves.
      expect(await failure(sessionToken({}, withMfa))).toBe('AccessDenied');
    },
  );

  it('refuses a TokenCode without a SerialNumber and a duration out of range', async () => {
    expect(await failure(sessionToken({ TokenCode: '123456' }))).toBe('ValidationError');
    expect(await failure(sessionToken({ DurationSeconds: 200_000 }))).toBe('ValidationError');
  });
});
