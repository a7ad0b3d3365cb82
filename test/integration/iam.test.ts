// IAM end to end with Debian's AWS CLI v2 (/usr/bin/aws): the administrator creates a user, an
// access key and a policy that allows sessions only on nodes tagged Env=dev; the user's session
// to a dev node opens (a real agent), one to a prod node is denied in AWS's words; users cannot
// end each other's sessions; STS tells who is calling; an assumed role works until its
// credentials expire.

import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AddTagsToResourceCommand,
  DescribeInstanceInformationCommand,
  SSMClient,
  StartSessionCommand,
  TerminateSessionCommand,
} from '@aws-sdk/client-ssm';
import {
  AWS_CLI,
  runAwsCli,
  startTestAgent,
  startTestServer,
  type TestAgent,
  type TestServer,
} from '@openssm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

let server: TestServer;
let workDir: string;
let devNode: TestAgent;
let prodNodeId: string;
let clock = Date.now();
const pluginLog = () => join(workDir, 'plugin-argv.json');

/** `aws …` as `credentials`, with a recording session-manager-plugin first on PATH. */
function run(args: string[], credentials: Credentials) {
  return runAwsCli(server, args, { credentials, pathPrefix: workDir, home: workDir });
}

/** The command's JSON output; fails the test with the CLI's error when it failed. */
async function aws<T = Record<string, unknown>>(
  args: string[],
  credentials: Credentials = server.adminCredentials,
): Promise<T> {
  const { stdout } = await run(args, credentials);
  return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
}

/** What the CLI printed on stderr for a command that must fail. */
async function awsError(args: string[], credentials: Credentials): Promise<string> {
  return run(args, credentials).then(
    () => expect.fail(`aws ${args.join(' ')} succeeded`),
    (error: { stderr?: string }) => String(error.stderr),
  );
}

function ssm(credentials: Credentials, offsetMs = 0): SSMClient {
  return new SSMClient({
    endpoint: server.url,
    region: server.region,
    credentials,
    maxAttempts: 1,
    systemClockOffset: offsetMs,
  });
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-iam-'));
  server = await startTestServer({ now: () => clock });
  if (
    !(await readFile(AWS_CLI).then(
      () => true,
      () => false,
    ))
  ) {
    throw new Error('/usr/bin/aws (Debian package awscli) is required: apt-get install awscli');
  }
  // A stand-in plugin: it records what the CLI hands it (the StartSession response) and exits.
  await writeFile(
    join(workDir, 'session-manager-plugin'),
    `#!/bin/sh\nprintf '%s' "$1" > '${pluginLog()}'\n`,
  );
  await chmod(join(workDir, 'session-manager-plugin'), 0o755);
  devNode = await startTestAgent(server, {
    stateDir: join(workDir, 'dev-agent'),
    name: 'dev-1',
    tags: { Env: 'dev' },
  });
  // A prod node: registered and tagged; it need not be online to be refused.
  const prod = await startTestAgent(server, {
    stateDir: join(workDir, 'prod-agent'),
    name: 'prod-1',
    tags: { Env: 'prod' },
  });
  prodNodeId = prod.instanceId;
  await prod.stop();
}, 90_000);

afterAll(async () => {
  await devNode?.stop();
  await server?.close();
  await rm(workDir, { recursive: true, force: true });
});

const DEV_SESSIONS_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DevNodesOnly',
      Effect: 'Allow',
      Action: 'ssm:StartSession',
      Resource: 'arn:aws:ssm:*:*:managed-instance/*',
      Condition: { StringEquals: { 'ssm:resourceTag/Env': 'dev' } },
    },
    {
      Sid: 'DefaultShellDocument',
      Effect: 'Allow',
      Action: 'ssm:StartSession',
      Resource: 'arn:aws:ssm:*:*:document/SSM-SessionManagerRunShell',
    },
    {
      Sid: 'OwnSessionsOnly',
      Effect: 'Allow',
      Action: ['ssm:ResumeSession', 'ssm:TerminateSession'],
      Resource: 'arn:aws:ssm:*:*:session/${aws:username}-*',
    },
    { Effect: 'Allow', Action: ['ssm:DescribeSessions', 'ssm:GetConnectionStatus'], Resource: '*' },
    { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/NodeReader' },
  ],
};

describe('IAM with the AWS CLI', () => {
  let alice: Credentials;

  it('lets the administrator create a user, a key and a policy, and attach it', async () => {
    const { User } = await aws<{ User: { Arn: string } }>([
      'iam',
      'create-user',
      '--user-name',
      'alice',
    ]);
    expect(User.Arn).toBe('arn:openssm:iam::000000000000:user/alice');
    const { AccessKey } = await aws<{ AccessKey: Record<string, string> }>([
      'iam',
      'create-access-key',
      '--user-name',
      'alice',
    ]);
    alice = {
      accessKeyId: AccessKey['AccessKeyId']!,
      secretAccessKey: AccessKey['SecretAccessKey']!,
    };
    expect(alice.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const policyFile = join(workDir, 'dev-sessions.json');
    await writeFile(policyFile, JSON.stringify(DEV_SESSIONS_POLICY));
    const { Policy } = await aws<{ Policy: { Arn: string } }>([
      'iam',
      'create-policy',
      '--policy-name',
      'DevSessions',
      '--policy-document',
      `file://${policyFile}`,
    ]);
    expect(Policy.Arn).toBe('arn:openssm:iam::000000000000:policy/DevSessions');
    await aws(['iam', 'attach-user-policy', '--user-name', 'alice', '--policy-arn', Policy.Arn]);
  });

  it('shows the user’s ARN in sts get-caller-identity', async () => {
    expect(await aws(['sts', 'get-caller-identity'], alice)).toMatchObject({
      Arn: 'arn:openssm:iam::000000000000:user/alice',
      Account: '000000000000',
    });
  });

  it('opens a session to a dev node and refuses a prod node with AccessDeniedException', async () => {
    await aws(['ssm', 'start-session', '--target', devNode.instanceId], alice);
    const handed = JSON.parse(await readFile(pluginLog(), 'utf8')) as { SessionId: string };
    expect(handed.SessionId).toMatch(/^alice-[0-9a-f]{17}$/);

    const prod = await awsError(['ssm', 'start-session', '--target', prodNodeId], alice);
    expect(prod).toContain('(AccessDeniedException) when calling the StartSession operation');
    expect(prod).toContain(
      'User: arn:openssm:iam::000000000000:user/alice is not authorized to perform: ' +
        `ssm:StartSession on resource: arn:openssm:ssm:${server.region}:000000000000:managed-instance/${prodNodeId}` +
        ' because no identity-based policy allows the ssm:StartSession action',
    );
    // Retagged dev, the same node is allowed: the decision reads the node's current tags.
    await ssm(server.adminCredentials).send(
      new AddTagsToResourceCommand({
        ResourceType: 'ManagedInstance',
        ResourceId: prodNodeId,
        Tags: [{ Key: 'Env', Value: 'dev' }],
      }),
    );
    // Allowed now; the node is offline, so the answer is the connection check's.
    expect(await awsError(['ssm', 'start-session', '--target', prodNodeId], alice)).toContain(
      'TargetNotConnected',
    );
  });

  it('lets a user end their own sessions and nobody else’s', async () => {
    const admin = ssm(server.adminCredentials);
    const adminSession = await admin.send(new StartSessionCommand({ Target: devNode.instanceId }));
    expect(adminSession.SessionId).toMatch(/^admin-/);
    expect(
      await awsError(['ssm', 'terminate-session', '--session-id', adminSession.SessionId!], alice),
    ).toContain('(AccessDeniedException) when calling the TerminateSession operation');
    const own = await ssm(alice).send(new StartSessionCommand({ Target: devNode.instanceId }));
    expect(await aws(['ssm', 'terminate-session', '--session-id', own.SessionId!], alice)).toEqual({
      SessionId: own.SessionId,
    });
    await admin.send(new TerminateSessionCommand({ SessionId: adminSession.SessionId! }));
  });

  it('hands out role credentials that work until they expire, then ExpiredTokenException', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:user/alice' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    await aws([
      'iam',
      'create-role',
      '--role-name',
      'NodeReader',
      '--assume-role-policy-document',
      trust,
    ]);
    const readOnly = 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess';
    await aws(['iam', 'attach-role-policy', '--role-name', 'NodeReader', '--policy-arn', readOnly]);
    const assume = (who: string) => [
      'sts',
      'assume-role',
      '--role-arn',
      'arn:openssm:iam::000000000000:role/NodeReader',
      '--role-session-name',
      who,
      '--duration-seconds',
      '900',
    ];
    const { Credentials: issued, AssumedRoleUser } = await aws<{
      Credentials: Record<string, string>;
      AssumedRoleUser: { Arn: string };
    }>(assume('audit'), alice);
    expect(AssumedRoleUser.Arn).toBe('arn:openssm:sts::000000000000:assumed-role/NodeReader/audit');
    const role: Credentials = {
      accessKeyId: issued['AccessKeyId']!,
      secretAccessKey: issued['SecretAccessKey']!,
      sessionToken: issued['SessionToken']!,
    };
    expect(await aws(['sts', 'get-caller-identity'], role)).toMatchObject({
      Arn: AssumedRoleUser.Arn,
    });
    const nodes = await ssm(role).send(new DescribeInstanceInformationCommand({}));
    expect(nodes.InstanceInformationList?.length).toBe(2);
    // Read-only: the role cannot start sessions.
    await expect(
      ssm(role).send(new StartSessionCommand({ Target: devNode.instanceId })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });

    // 15 minutes and a second later (the client's clock moves with the server's).
    const later = 901_000;
    clock += later;
    try {
      await expect(
        ssm(role, later).send(new DescribeInstanceInformationCommand({})),
      ).rejects.toMatchObject({ name: 'ExpiredTokenException' });
    } finally {
      clock -= later;
    }
    // Someone the trust policy does not name is refused.
    expect(await awsError(assume('admin'), server.adminCredentials)).toContain('(AccessDenied)');
  });

  it('explains decisions with simulate-principal-policy and simulate-custom-policy', async () => {
    const nodeArn = `arn:openssm:ssm:${server.region}:000000000000:managed-instance/${devNode.instanceId}`;
    const simulate = (env: string) =>
      aws<{ EvaluationResults: Record<string, unknown>[] }>([
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        'arn:openssm:iam::000000000000:user/alice',
        '--action-names',
        'ssm:StartSession',
        'ssm:SendCommand',
        '--resource-arns',
        nodeArn,
        '--context-entries',
        `ContextKeyName=ssm:resourceTag/Env,ContextKeyValues=${env},ContextKeyType=string`,
      ]);
    const dev = (await simulate('dev')).EvaluationResults;
    expect(dev).toEqual([
      expect.objectContaining({
        EvalActionName: 'ssm:StartSession',
        EvalResourceName: nodeArn,
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'DevSessions', SourcePolicyType: 'user-managed' }],
      }),
      expect.objectContaining({ EvalActionName: 'ssm:SendCommand', EvalDecision: 'implicitDeny' }),
    ]);
    expect((await simulate('prod')).EvaluationResults[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
    });
    const custom = await aws<{ EvaluationResults: Record<string, unknown>[] }>([
      'iam',
      'simulate-custom-policy',
      '--policy-input-list',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'ssm:*', Resource: '*' }],
      }),
      '--action-names',
      'ssm:StartSession',
    ]);
    expect(custom.EvaluationResults[0]).toMatchObject({
      EvalDecision: 'explicitDeny',
      MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none' }],
    });
  });

  it('openssm iam: whoami, simulate with the deciding statement, create-user with a profile', async () => {
    const openssm = (args: string[]) =>
      execFileAsync(
        join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'openssm'),
        args,
        {
          env: {
            PATH: '/usr/bin:/bin',
            HOME: workDir,
            AWS_ACCESS_KEY_ID: server.adminCredentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: server.adminCredentials.secretAccessKey,
            AWS_REGION: server.region,
            OPENSSM_ENDPOINT: server.url,
          },
        },
      ).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    expect((await openssm(['iam', 'whoami'])).stdout).toContain(
      'arn:openssm:iam::000000000000:user/admin',
    );
    const allowed = await openssm([
      'iam',
      'simulate',
      '--principal',
      'alice',
      '--action',
      'ssm:StartSession',
      '--resource',
      `arn:openssm:ssm:${server.region}:000000000000:managed-instance/${devNode.instanceId}`,
      '--context',
      'ssm:resourceTag/Env=dev',
    ]);
    expect(allowed).toEqual({
      code: 0,
      stdout: expect.stringContaining('ALLOWED\n  decided by DevSessions (user-managed)') as string,
    });
    const denied = await openssm([
      'iam',
      'simulate',
      '--principal',
      'alice',
      '--action',
      'iam:CreateUser',
    ]);
    expect(denied).toEqual({
      code: 3,
      stdout: 'iam:CreateUser on *: DENIED (no policy allows it)\n',
    });
    const created = await openssm([
      'iam',
      'create-user',
      'carol',
      '--policy',
      'AmazonSSMReadOnlyAccess',
    ]);
    const profile = /^\[carol\]\naws_access_key_id = (\w+)\naws_secret_access_key = (\S+)\n$/.exec(
      created.stdout,
    );
    expect(profile).not.toBeNull();
    const carol = { accessKeyId: profile![1]!, secretAccessKey: profile![2]! };
    expect(await aws(['sts', 'get-caller-identity'], carol)).toMatchObject({
      Arn: 'arn:openssm:iam::000000000000:user/carol',
    });
    await ssm(carol).send(new DescribeInstanceInformationCommand({}));
  });

  it('guards activations: iam:PassRole on the role, and a role that trusts Systems Manager', async () => {
    const activate = (role: string, credentials: Credentials) =>
      awsError(['ssm', 'create-activation', '--iam-role', role], credentials);
    // The node role would give whoever registers a node its permissions: passing it is guarded.
    await aws([
      'iam',
      'put-user-policy',
      '--user-name',
      'alice',
      '--policy-name',
      'Activations',
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ssm:CreateActivation', Resource: '*' }],
      }),
    ]);
    expect(await activate('OpenSSMNodeRole', alice)).toMatch(
      /AccessDeniedException.*not authorized to perform: iam:PassRole on resource: arn:openssm:iam::000000000000:role\/OpenSSMNodeRole/s,
    );
    // NodeReader trusts alice, not ssm.amazonaws.com; NoSuchRole does not exist.
    for (const role of ['NodeReader', 'NoSuchRole']) {
      expect(await activate(role, server.adminCredentials)).toContain(
        `(InvalidParameters) when calling the CreateActivation operation (reached max retries: 0): Nonexistent role or missing ssm service principal in trust policy: ${role}`,
      );
    }
  });

  it('reads the SSMSessionRunAs principal tag of users, and of roles for their sessions', async () => {
    const { iam } = server.server.services;
    await aws([
      'iam',
      'tag-user',
      '--user-name',
      'alice',
      '--tags',
      'Key=SSMSessionRunAs,Value=alice-os',
    ]);
    const user = await iam.users.get('alice');
    const asUser = { kind: 'user', id: user.userId, name: 'alice', arn: user.arn } as const;
    expect(await iam.principalTag(asUser, 'SSMSessionRunAs')).toBe('alice-os');
    await aws([
      'iam',
      'tag-role',
      '--role-name',
      'NodeReader',
      '--tags',
      'Key=SSMSessionRunAs,Value=reader',
    ]);
    const session = {
      kind: 'assumed-role',
      id: 'x:audit',
      name: 'audit',
      arn: 'arn:openssm:sts::000000000000:assumed-role/NodeReader/audit',
      roleName: 'NodeReader',
    } as const;
    expect(await iam.principalTag(session, 'SSMSessionRunAs')).toBe('reader');
    await aws(['iam', 'untag-user', '--user-name', 'alice', '--tag-keys', 'SSMSessionRunAs']);
    expect(await iam.principalTag(asUser, 'SSMSessionRunAs')).toBeUndefined();
  });

  it('refuses a malformed policy with MalformedPolicyDocument and the reason', async () => {
    const bad = await awsError(
      [
        'iam',
        'put-user-policy',
        '--user-name',
        'alice',
        '--policy-name',
        'Broken',
        '--policy-document',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:StartSession"}]}',
      ],
      server.adminCredentials,
    );
    expect(bad).toMatch(
      /\(MalformedPolicyDocument\) when calling the PutUserPolicy operation.*: .*Resource/,
    );
  });
});
