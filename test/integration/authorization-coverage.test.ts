// No operation of any API is reachable without a decision of the policy engine: every
// registered operation, called with a valid request by an IAM user who has no policy, is
// refused with AWS's access-denied code. A new operation without a sample request here fails
// the coverage check, so it cannot slip in unguarded. Also: repeated bad signatures from one
// source are throttled without slowing anyone else.

import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { signedFetch, signedSsmCall, startTestServer, type TestServer } from '@openssm/testkit';
import {
  CLOUDTRAIL_OPERATIONS,
  IAM_OPERATIONS,
  LOGS_OPERATIONS,
  OPENSSM_OPERATIONS,
  SSM_OPERATIONS,
  STS_OPERATIONS,
} from '@openssm/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: TestServer;
let nobody: { accessKeyId: string; secretAccessKey: string };

const NODE = 'mi-0123456789abcdef0';
const POLICY_ARN = 'arn:openssm:iam::000000000000:policy/Anything';
const DOCUMENT = JSON.stringify({
  schemaVersion: '2.2',
  mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['true'] } }],
});
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }],
});

/** A valid request body for every SSM operation a signed caller can reach. */
const SSM_SAMPLES: Readonly<Record<string, object>> = {
  AddTagsToResource: {
    ResourceType: 'ManagedInstance',
    ResourceId: NODE,
    Tags: [{ Key: 'k', Value: 'v' }],
  },
  CancelCommand: { CommandId: '0a8f5c3e-1b2d-4e6f-9a7b-3c4d5e6f7a8b' },
  CreateActivation: { IamRole: 'OpenSSMNodeRole' },
  CreateDocument: { Name: 'Sample', Content: DOCUMENT, DocumentType: 'Command' },
  DeleteActivation: { ActivationId: '3f1c5b1e-8a3a-4d6e-9a52-6f1f2d0c0001' },
  DeleteDocument: { Name: 'Sample' },
  DeregisterManagedInstance: { InstanceId: NODE },
  DescribeActivations: {},
  DescribeDocument: { Name: 'AWS-RunShellScript' },
  DescribeInstanceInformation: {},
  DescribeSessions: { State: 'Active' },
  GetConnectionStatus: { Target: NODE },
  GetCommandInvocation: {
    CommandId: '0a8f5c3e-1b2d-4e6f-9a7b-3c4d5e6f7a8b',
    InstanceId: NODE,
  },
  GetDocument: { Name: 'AWS-RunShellScript' },
  ListCommandInvocations: {},
  ListCommands: {},
  ListDocuments: {},
  ListDocumentVersions: { Name: 'AWS-RunShellScript' },
  ListTagsForResource: { ResourceType: 'ManagedInstance', ResourceId: NODE },
  RemoveTagsFromResource: { ResourceType: 'ManagedInstance', ResourceId: NODE, TagKeys: ['k'] },
  ResumeSession: { SessionId: 'someone-0123456789abcdef0' },
  SendCommand: {
    InstanceIds: [NODE],
    DocumentName: 'AWS-RunShellScript',
    Parameters: { commands: ['true'] },
  },
  StartSession: { Target: NODE },
  TerminateSession: { SessionId: 'someone-0123456789abcdef0' },
  UpdateDocument: { Name: 'Sample', Content: DOCUMENT, DocumentVersion: '$LATEST' },
  UpdateDocumentDefaultVersion: { Name: 'Sample', DocumentVersion: '1' },
  UpdateInstanceInformation: { InstanceId: NODE, AgentName: 'amazon-ssm-agent' },
};

/** The other JSON 1.1 services at the same endpoint: target prefix, SigV4 service, samples. */
const JSON_SERVICES = [
  {
    targetPrefix: 'Logs_20140328',
    service: 'logs',
    operations: LOGS_OPERATIONS,
    samples: {
      CreateLogGroup: { logGroupName: 'g' },
      DeleteLogGroup: { logGroupName: 'g' },
      DescribeLogGroups: {},
      DescribeLogStreams: { logGroupName: 'g' },
      FilterLogEvents: { logGroupName: 'g' },
      GetLogEvents: { logGroupName: 'g', logStreamName: 's' },
      PutRetentionPolicy: { logGroupName: 'g', retentionInDays: 7 },
    } as Readonly<Record<string, object>>,
  },
  {
    targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101',
    service: 'cloudtrail',
    operations: CLOUDTRAIL_OPERATIONS,
    samples: { LookupEvents: {} } as Readonly<Record<string, object>>,
  },
  {
    targetPrefix: 'OpenSSM_20260101',
    service: 'openssm',
    operations: OPENSSM_OPERATIONS,
    samples: {
      GetSessionRecording: { SessionId: 'someone-0123456789abcdef0' },
      ExportAuditTrail: {},
    } as Readonly<Record<string, object>>,
  },
] as const;

/**
 * SSM operations a user cannot call at all, and why: their authentication is not an access key,
 * so they never reach a policy decision as a user.
 */
const NOT_FOR_USERS: Readonly<Record<string, string>> = {
  RegisterManagedInstance: 'authenticated by the activation code, as on AWS',
  RequestManagedInstanceRoleToken: "signed with the node's own RSA key; concerns that node only",
  UpdateManagedInstancePublicKey: "signed with the node's own RSA key; concerns that node only",
};

const USER = { UserName: 'someone' };
const GROUP = { GroupName: 'somegroup' };
const ROLE = { RoleName: 'somerole' };
const TAGS = { 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' };

/** A valid form for every IAM and STS operation. */
const QUERY_SAMPLES: Readonly<Record<string, Record<string, string>>> = {
  CreateUser: USER,
  GetUser: USER,
  ListUsers: {},
  UpdateUser: { ...USER, NewUserName: 'someone-else' },
  DeleteUser: USER,
  TagUser: { ...USER, ...TAGS },
  UntagUser: { ...USER, 'TagKeys.member.1': 'k' },
  ListUserTags: USER,
  CreateLoginProfile: { ...USER, Password: 'Correct-Horse-9' },
  UpdateLoginProfile: { ...USER, Password: 'Correct-Horse-9' },
  GetLoginProfile: USER,
  DeleteLoginProfile: USER,
  CreateAccessKey: USER,
  ListAccessKeys: USER,
  UpdateAccessKey: { ...USER, AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA', Status: 'Inactive' },
  DeleteAccessKey: { ...USER, AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
  GetAccessKeyLastUsed: { AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
  CreateGroup: GROUP,
  GetGroup: GROUP,
  ListGroups: {},
  UpdateGroup: { ...GROUP, NewGroupName: 'othergroup' },
  DeleteGroup: GROUP,
  AddUserToGroup: { ...GROUP, ...USER },
  RemoveUserFromGroup: { ...GROUP, ...USER },
  ListGroupsForUser: USER,
  CreateRole: { ...ROLE, AssumeRolePolicyDocument: TRUST },
  GetRole: ROLE,
  ListRoles: {},
  UpdateAssumeRolePolicy: { ...ROLE, PolicyDocument: TRUST },
  DeleteRole: ROLE,
  TagRole: { ...ROLE, ...TAGS },
  UntagRole: { ...ROLE, 'TagKeys.member.1': 'k' },
  ListRoleTags: ROLE,
  CreatePolicy: { PolicyName: 'Anything', PolicyDocument: POLICY },
  GetPolicy: { PolicyArn: POLICY_ARN },
  ListPolicies: {},
  CreatePolicyVersion: { PolicyArn: POLICY_ARN, PolicyDocument: POLICY },
  GetPolicyVersion: { PolicyArn: POLICY_ARN, VersionId: 'v1' },
  ListPolicyVersions: { PolicyArn: POLICY_ARN },
  DeletePolicyVersion: { PolicyArn: POLICY_ARN, VersionId: 'v2' },
  SetDefaultPolicyVersion: { PolicyArn: POLICY_ARN, VersionId: 'v1' },
  DeletePolicy: { PolicyArn: POLICY_ARN },
  AttachUserPolicy: { ...USER, PolicyArn: POLICY_ARN },
  DetachUserPolicy: { ...USER, PolicyArn: POLICY_ARN },
  ListAttachedUserPolicies: USER,
  AttachGroupPolicy: { ...GROUP, PolicyArn: POLICY_ARN },
  DetachGroupPolicy: { ...GROUP, PolicyArn: POLICY_ARN },
  ListAttachedGroupPolicies: GROUP,
  AttachRolePolicy: { ...ROLE, PolicyArn: POLICY_ARN },
  DetachRolePolicy: { ...ROLE, PolicyArn: POLICY_ARN },
  ListAttachedRolePolicies: ROLE,
  PutUserPolicy: { ...USER, PolicyName: 'inline', PolicyDocument: POLICY },
  GetUserPolicy: { ...USER, PolicyName: 'inline' },
  DeleteUserPolicy: { ...USER, PolicyName: 'inline' },
  ListUserPolicies: USER,
  PutGroupPolicy: { ...GROUP, PolicyName: 'inline', PolicyDocument: POLICY },
  GetGroupPolicy: { ...GROUP, PolicyName: 'inline' },
  DeleteGroupPolicy: { ...GROUP, PolicyName: 'inline' },
  ListGroupPolicies: GROUP,
  PutRolePolicy: { ...ROLE, PolicyName: 'inline', PolicyDocument: POLICY },
  GetRolePolicy: { ...ROLE, PolicyName: 'inline' },
  DeleteRolePolicy: { ...ROLE, PolicyName: 'inline' },
  ListRolePolicies: ROLE,
  SimulatePrincipalPolicy: {
    PolicySourceArn: 'arn:openssm:iam::000000000000:user/nobody',
    'ActionNames.member.1': 'ssm:StartSession',
  },
  SimulateCustomPolicy: {
    'PolicyInputList.member.1': POLICY,
    'ActionNames.member.1': 'ssm:StartSession',
  },
  AssumeRole: {
    RoleArn: 'arn:openssm:iam::000000000000:role/OpenSSMNodeRole',
    RoleSessionName: 'probe',
  },
};

/** STS answers these for any caller, as AWS does: no policy can deny them. */
const ALWAYS_ALLOWED: Readonly<Record<string, string>> = {
  GetCallerIdentity: 'AWS answers it for every authenticated caller',
  GetSessionToken: 'AWS answers it for every IAM user with a long-term key (no policy applies)',
};

function queryCall(
  service: 'iam' | 'sts',
  action: string,
  params: Record<string, string>,
  credentials = nobody,
) {
  const version = service === 'iam' ? '2010-05-08' : '2011-06-15';
  return signedFetch({
    url: `${server.url}/`,
    service,
    region: service === 'iam' ? 'us-east-1' : server.region,
    credentials,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Action: action, Version: version, ...params }).toString(),
  });
}

beforeAll(async () => {
  server = await startTestServer();
  const admin = server.adminCredentials;
  expect((await queryCall('iam', 'CreateUser', { UserName: 'nobody' }, admin)).status).toBe(200);
  const created = await (
    await queryCall('iam', 'CreateAccessKey', { UserName: 'nobody' }, admin)
  ).text();
  nobody = {
    accessKeyId: /<AccessKeyId>(\w+)<\/AccessKeyId>/.exec(created)![1]!,
    secretAccessKey: /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(created)![1]!,
  };
});

afterAll(async () => {
  await server?.close();
});

describe('authorization coverage', () => {
  it('has a sample request, or a stated reason, for every registered operation', () => {
    const ssm = SSM_OPERATIONS.map((op) => op.name).filter(
      (name) => !(name in SSM_SAMPLES) && !(name in NOT_FOR_USERS),
    );
    const query = [...IAM_OPERATIONS, ...STS_OPERATIONS]
      .map((op) => op.name)
      .filter((name) => !(name in QUERY_SAMPLES) && !(name in ALWAYS_ALLOWED));
    const json = JSON_SERVICES.flatMap(({ operations, samples }) =>
      operations.map((op) => op.name).filter((name) => !(name in samples)),
    );
    expect([...ssm, ...query, ...json], 'operations without a sample request in this test').toEqual(
      [],
    );
  });

  it('refuses every Logs, CloudTrail and OpenSSM operation to a user without policies', async () => {
    const reached: string[] = [];
    for (const { targetPrefix, service, operations, samples } of JSON_SERVICES) {
      for (const operation of operations) {
        const response = await signedFetch({
          url: `${server.url}/`,
          service,
          region: server.region,
          credentials: nobody,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `${targetPrefix}.${operation.name}`,
          },
          body: JSON.stringify(samples[operation.name]),
        });
        const body = (await response.json()) as { __type?: string; message?: string };
        if (
          body.__type !== 'AccessDeniedException' ||
          !new RegExp(`perform: ${service}:${operation.name} on resource`).test(body.message ?? '')
        ) {
          reached.push(`${operation.name}: ${JSON.stringify(body).slice(0, 200)}`);
        }
      }
    }
    expect(reached).toEqual([]);
  });

  it('refuses a Logs call signed for another service', async () => {
    const response = await signedFetch({
      url: `${server.url}/`,
      service: 'ssm',
      region: server.region,
      credentials: server.adminCredentials,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.DescribeLogGroups',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
  });

  it('refuses every SSM operation to a user without policies, with AccessDeniedException', async () => {
    const reached: string[] = [];
    for (const operation of SSM_OPERATIONS) {
      const sample = SSM_SAMPLES[operation.name];
      if (sample === undefined) continue;
      const answer = await signedSsmCall(server.url, operation.name, sample, nobody, server.region);
      if (answer.body['__type'] !== 'AccessDeniedException') {
        reached.push(`${operation.name}: ${JSON.stringify(answer.body).slice(0, 200)}`);
      } else {
        expect(answer.body['message']).toMatch(
          /^User: arn:openssm:iam::000000000000:user\/nobody is not authorized to perform: ssm:\w+ on resource: \S+ because no identity-based policy allows/,
        );
      }
    }
    expect(reached).toEqual([]);
  });

  it('refuses every IAM and STS operation to a user without policies, with AccessDenied', async () => {
    const reached: string[] = [];
    for (const operation of [...IAM_OPERATIONS, ...STS_OPERATIONS]) {
      const sample = QUERY_SAMPLES[operation.name];
      if (sample === undefined) continue;
      const response = await queryCall(operation.service, operation.name, sample);
      const body = await response.text();
      if (response.status !== 403 || !body.includes('<Code>AccessDenied</Code>')) {
        reached.push(`${operation.name}: ${response.status} ${body.slice(0, 200)}`);
      }
    }
    expect(reached).toEqual([]);
  });

  it('answers GetCallerIdentity for a user without policies, as AWS does', async () => {
    const response = await queryCall('sts', 'GetCallerIdentity', {});
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<Arn>arn:openssm:iam::000000000000:user/nobody</Arn>');
  });

  it('answers GetSessionToken for a user without policies, as AWS does', async () => {
    const response = await queryCall('sts', 'GetSessionToken', { DurationSeconds: '900' });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<AccessKeyId>ASIA\w+<\/AccessKeyId>/);
  });
});

/**
 * A signed DescribeActivations from a chosen loopback source address (127.0.0.0/8 is all
 * loopback on Linux); answers the status and the AWS error type ('' on success).
 */
async function callFrom(
  localAddress: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<{ status: number; type: string }> {
  const url = new URL(server.url);
  const body = '{}';
  const signed = await new SignatureV4({
    credentials,
    region: server.region,
    service: 'ssm',
    sha256: Sha256,
  }).sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.DescribeActivations',
      },
      body,
    }),
  );
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        localAddress,
        headers: signed.headers,
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          const parsed = JSON.parse(text) as { __type?: string };
          resolve({ status: response.statusCode ?? 0, type: parsed.__type ?? '' });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('bad-signature throttling', () => {
  it('throttles a source that keeps failing and no one else', async () => {
    const wrong = { accessKeyId: server.adminCredentials.accessKeyId, secretAccessKey: 'guess' };
    const answers: string[] = [];
    // The burst allows 20 failures; the 21st attempt from the same source is throttled.
    for (let attempt = 0; attempt < 25; attempt++) {
      answers.push((await callFrom('127.0.0.2', wrong)).type);
    }
    expect(answers.slice(0, 20).every((type) => type === 'InvalidSignatureException')).toBe(true);
    expect(answers.slice(21)).toEqual(Array(4).fill('ThrottlingException'));
    // Throttled callers are refused even with the right key: a guesser cannot test one more.
    expect((await callFrom('127.0.0.2', server.adminCredentials)).type).toBe('ThrottlingException');
    // Another source is not slowed at all.
    expect(await callFrom('127.0.0.3', server.adminCredentials)).toEqual({ status: 200, type: '' });
  });
});
