// Policy evaluation vectors: request → expected decision and the statements that decided it.
// Written from AWS's IAM documentation (evaluation logic, condition operators, multivalued keys,
// policy variables, Principal/NotPrincipal) and the Session Manager sample policies, not from
// the engine's code. Deciding statements are `Policy[index]`, identity policies first, each in
// document order. Where IAM's documentation leaves a case open, the vector's name says
// "OpenSSM:" and the choice is documented in the engine's module headers.

import type {
  ContextInput,
  DecisionKind,
  RequestPrincipal,
} from '../../src/policy/engine/index.js';
import { BUILTIN_POLICIES } from '../../src/policy/engine/index.js';

type PolicyJson = object | string;

export interface PolicyVector {
  readonly name: string;
  /** Identity-based policies, by name. */
  readonly policies: Readonly<Record<string, PolicyJson>>;
  /** Trust or resource-based policies, by name. */
  readonly resourcePolicies?: Readonly<
    Record<string, { readonly kind: 'trust' | 'resource'; readonly document: PolicyJson }>
  >;
  /** Evaluate as AssumeRole: resourcePolicies holds the role's one trust policy. */
  readonly assumeRole?: boolean;
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal;
  readonly context: Readonly<Record<string, ContextInput>>;
  readonly expect: DecisionKind;
  readonly deciding: readonly string[];
}

interface Setup {
  readonly policies: PolicyVector['policies'];
  readonly resourcePolicies?: PolicyVector['resourcePolicies'];
  readonly assumeRole?: boolean;
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal;
  readonly context?: PolicyVector['context'];
}

interface Case {
  readonly name: string;
  readonly action?: string;
  readonly resource?: string;
  readonly principal?: RequestPrincipal;
  /** Merged over the setup's context; `undefined` removes a key. */
  readonly context?: PolicyVector['context'];
  readonly policies?: PolicyVector['policies'];
  readonly resourcePolicies?: PolicyVector['resourcePolicies'];
  readonly expect: DecisionKind;
  readonly deciding?: readonly string[];
}

function scenario(title: string, setup: Setup, cases: readonly Case[]): PolicyVector[] {
  return cases.map((item) => ({
    ...setup,
    ...item,
    name: `${title}: ${item.name}`,
    context: { ...setup.context, ...item.context },
    deciding: item.deciding ?? [],
  }));
}

const V2012 = '2012-10-17';
const doc = (...statements: object[]): object => ({ Version: V2012, Statement: statements });

const ACCOUNT = '000000000000';
const PREFIX = `arn:openssm:ssm:us-east-1:${ACCOUNT}`;
const NODE = `${PREFIX}:managed-instance/mi-0123456789abcdef0`;
const NODE_2 = `${PREFIX}:managed-instance/mi-0fedcba9876543210`;
const NODE_EU = `arn:openssm:ssm:eu-west-1:${ACCOUNT}:managed-instance/mi-0aaaaaaaaaaaaaaa1`;
const NODE_OTHER_ACCOUNT = `arn:openssm:ssm:us-east-1:111122223333:managed-instance/mi-0bbbbbbbbbbbbbbb2`;
const document = (name: string): string => `${PREFIX}:document/${name}`;
const session = (id: string): string => `${PREFIX}:session/${id}`;
const USER_ALICE = `arn:openssm:iam::${ACCOUNT}:user/alice`;
const USER_BOB = `arn:openssm:iam::${ACCOUNT}:user/bob`;
const ROOT = `arn:openssm:iam::${ACCOUNT}:root`;
const ROLE_OPS = `arn:openssm:iam::${ACCOUNT}:role/Ops`;
const ALICE: RequestPrincipal = { type: 'AWS', id: USER_ALICE };
const BOB: RequestPrincipal = { type: 'AWS', id: USER_BOB };
const NOW = '2026-11-26T19:10:00Z';
const NOW_EPOCH = '1795720200';

/** One Allow of ssm:StartSession on every resource, under `condition`. Policy `C`. */
const allowIf = (condition: object): PolicyVector['policies'] => ({
  C: doc({ Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*', Condition: condition }),
});

/** Allow everything (`G[0]`), deny ssm:StartSession under `condition` (`G[1]`). */
const denyIf = (condition: object): PolicyVector['policies'] => ({
  G: doc(
    { Effect: 'Allow', Action: '*', Resource: '*' },
    { Effect: 'Deny', Action: 'ssm:StartSession', Resource: '*', Condition: condition },
  ),
});

const START = { action: 'ssm:StartSession', resource: NODE } as const;

// ---------------------------------------------------------------------------------------------
// Evaluation logic: explicit Deny > Allow > implicit deny.

const basics = [
  ...scenario('basics', { policies: {}, ...START }, [
    { name: 'no policy at all is an implicit deny', expect: 'ImplicitDeny' },
  ]),
  ...scenario(
    'one allowed action',
    {
      policies: { P: doc({ Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' }) },
      ...START,
    },
    [
      { name: 'the action is allowed', expect: 'Allow', deciding: ['P[0]'] },
      {
        name: 'the request action compares case-insensitively',
        action: 'SSM:startsession',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      { name: 'another action is not', action: 'ssm:TerminateSession', expect: 'ImplicitDeny' },
      { name: 'no implied trailing wildcard', action: 'ssm:StartSessions', expect: 'ImplicitDeny' },
      {
        name: 'another service is not',
        action: 'ssmmessages:OpenDataChannel',
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'action written in another case',
    {
      policies: { P: doc({ Effect: 'Allow', Action: 'SSM:STARTSESSION', Resource: '*' }) },
      ...START,
    },
    [{ name: 'still matches', expect: 'Allow', deciding: ['P[0]'] }],
  ),
  ...scenario(
    'Statement as a single object',
    {
      policies: {
        P: {
          Version: V2012,
          Statement: { Effect: 'Allow', Action: 'ssm:StartSession', Resource: NODE },
        },
      },
      ...START,
    },
    [{ name: 'is statement 0', expect: 'Allow', deciding: ['P[0]'] }],
  ),
  ...scenario(
    'Action as a list',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: ['ssm:DescribeSessions', 'ssm:StartSession'],
          Resource: '*',
        }),
      },
      ...START,
    },
    [
      { name: 'the second entry matches', expect: 'Allow', deciding: ['P[0]'] },
      {
        name: 'the first entry matches',
        action: 'ssm:DescribeSessions',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
  ...scenario(
    'a Deny in another policy',
    {
      policies: {
        Admin: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
        Guard: doc({ Effect: 'Deny', Action: 'ssm:StartSession', Resource: '*' }),
      },
      ...START,
    },
    [
      { name: 'beats the Allow', expect: 'ExplicitDeny', deciding: ['Guard[0]'] },
      {
        name: 'leaves other actions allowed',
        action: 'ssm:TerminateSession',
        resource: session('alice-0a1b2c3d4e5f67890'),
        expect: 'Allow',
        deciding: ['Admin[0]'],
      },
    ],
  ),
  ...scenario(
    'a Deny on one node in the same policy',
    {
      policies: {
        P: doc(
          { Effect: 'Allow', Action: 'ssm:*', Resource: '*' },
          { Effect: 'Deny', Action: 'ssm:StartSession', Resource: NODE },
        ),
      },
      ...START,
    },
    [
      { name: 'denies that node', expect: 'ExplicitDeny', deciding: ['P[1]'] },
      { name: 'not another node', resource: NODE_2, expect: 'Allow', deciding: ['P[0]'] },
    ],
  ),
  ...scenario(
    'several matching Allows',
    {
      policies: {
        A: doc({ Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' }),
        B: doc({ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }),
      },
      ...START,
    },
    [
      { name: 'all are deciding', expect: 'Allow', deciding: ['A[0]', 'B[0]'] },
      {
        name: 'only the one that matches',
        action: 'ssm:DescribeSessions',
        resource: '*',
        expect: 'Allow',
        deciding: ['B[0]'],
      },
    ],
  ),
  ...scenario(
    'several matching Denies',
    {
      policies: {
        P: doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'ssm:Start*', Resource: '*' },
          { Effect: 'Deny', Action: '*', Resource: NODE },
        ),
      },
      ...START,
    },
    [
      { name: 'all are deciding', expect: 'ExplicitDeny', deciding: ['P[1]', 'P[2]'] },
      { name: 'one on another node', resource: NODE_2, expect: 'ExplicitDeny', deciding: ['P[1]'] },
      {
        name: 'one for another action',
        action: 'ssm:TerminateSession',
        expect: 'ExplicitDeny',
        deciding: ['P[2]'],
      },
      {
        name: 'none elsewhere',
        action: 'ssm:DescribeSessions',
        resource: '*',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
  ...scenario(
    'a conditional Deny',
    {
      policies: {
        P: doc(
          { Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ssm:StartSession',
            Resource: '*',
            Condition: { StringEquals: { 'ssm:resourceTag/Env': 'prod' } },
          },
        ),
      },
      ...START,
    },
    [
      {
        name: 'applies when its condition holds',
        context: { 'ssm:resourceTag/Env': 'prod' },
        expect: 'ExplicitDeny',
        deciding: ['P[1]'],
      },
      {
        name: 'not when it does not',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      { name: 'not when the key is absent', expect: 'Allow', deciding: ['P[0]'] },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// Action, NotAction: `*` and `?`, case-insensitive, the service prefix is part of the name.

const actions = [
  ...scenario(
    'action wildcards',
    {
      policies: {
        DescribeStar: doc({ Effect: 'Allow', Action: 'ssm:Describe*', Resource: '*' }),
        StarSession: doc({ Effect: 'Allow', Action: 'ssm:*Session', Resource: '*' }),
        OneChar: doc({ Effect: 'Allow', Action: 'ssm:?etDocument', Resource: '*' }),
        Lower: doc({ Effect: 'Allow', Action: 'ssm:list*', Resource: '*' }),
      },
      action: 'ssm:StartSession',
      resource: '*',
    },
    [
      {
        name: 'Describe* → DescribeSessions',
        action: 'ssm:DescribeSessions',
        expect: 'Allow',
        deciding: ['DescribeStar[0]'],
      },
      {
        name: 'Describe* → DescribeInstanceInformation',
        action: 'ssm:DescribeInstanceInformation',
        expect: 'Allow',
        deciding: ['DescribeStar[0]'],
      },
      { name: '*Session → StartSession', expect: 'Allow', deciding: ['StarSession[0]'] },
      {
        name: '*Session → ResumeSession',
        action: 'ssm:ResumeSession',
        expect: 'Allow',
        deciding: ['StarSession[0]'],
      },
      {
        name: 'both match DescribeSession',
        action: 'ssm:DescribeSession',
        expect: 'Allow',
        deciding: ['DescribeStar[0]', 'StarSession[0]'],
      },
      {
        name: '?etDocument → GetDocument',
        action: 'ssm:GetDocument',
        expect: 'Allow',
        deciding: ['OneChar[0]'],
      },
      { name: '? is exactly one character', action: 'ssm:GGetDocument', expect: 'ImplicitDeny' },
      {
        name: 'a lower-case pattern matches',
        action: 'ssm:ListTagsForResource',
        expect: 'Allow',
        deciding: ['Lower[0]'],
      },
      {
        name: 'nothing matches UpdateInstanceInformation',
        action: 'ssm:UpdateInstanceInformation',
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'service wildcard ssm:*',
    { policies: { P: doc({ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }) }, ...START },
    [
      { name: 'covers ssm actions', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'not ssmmessages', action: 'ssmmessages:OpenDataChannel', expect: 'ImplicitDeny' },
      { name: 'not ec2messages', action: 'ec2messages:GetMessages', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'Action *',
    { policies: { P: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }, ...START },
    [
      {
        name: 'covers every service',
        action: 'iam:CreateUser',
        resource: '*',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      { name: 'covers ssm', action: 'ssm:SendCommand', expect: 'Allow', deciding: ['P[0]'] },
    ],
  ),
  ...scenario(
    'NotAction in an Allow',
    {
      policies: { P: doc({ Effect: 'Allow', NotAction: 'ssm:DeleteDocument', Resource: '*' }) },
      ...START,
    },
    [
      { name: 'allows what is not listed', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'not what is listed', action: 'ssm:DeleteDocument', expect: 'ImplicitDeny' },
      { name: 'compared case-insensitively', action: 'SSM:deletedocument', expect: 'ImplicitDeny' },
      {
        name: 'allows other services too',
        action: 'iam:CreateUser',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
  ...scenario(
    'NotAction in a Deny (read-only guard)',
    {
      policies: {
        P: doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', NotAction: ['ssm:Describe*', 'ssm:Get*', 'ssm:List*'], Resource: '*' },
        ),
      },
      ...START,
    },
    [
      { name: 'denies StartSession', expect: 'ExplicitDeny', deciding: ['P[1]'] },
      {
        name: 'leaves Describe*',
        action: 'ssm:DescribeSessions',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      {
        name: 'leaves Get*',
        action: 'ssm:GetConnectionStatus',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      {
        name: 'denies iam:List* (not listed)',
        action: 'iam:ListUsers',
        expect: 'ExplicitDeny',
        deciding: ['P[1]'],
      },
    ],
  ),
  ...scenario(
    'NotAction ssm:*',
    { policies: { P: doc({ Effect: 'Allow', NotAction: 'ssm:*', Resource: '*' }) }, ...START },
    [
      {
        name: 'allows ssmmessages',
        action: 'ssmmessages:OpenDataChannel',
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      { name: 'not ssm', expect: 'ImplicitDeny' },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// Resource, NotResource: ARNs, case-sensitive, wildcards per component, both partitions.

const resources = [
  ...scenario(
    'Resource: one node',
    {
      policies: { P: doc({ Effect: 'Allow', Action: 'ssm:StartSession', Resource: NODE }) },
      ...START,
    },
    [
      { name: 'that node', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'not another', resource: NODE_2, expect: 'ImplicitDeny' },
      {
        name: 'resources are case-sensitive',
        resource: `${PREFIX}:managed-instance/MI-0123456789ABCDEF0`,
        expect: 'ImplicitDeny',
      },
      {
        name: 'the request may name the aws partition',
        resource: NODE.replace('arn:openssm:', 'arn:aws:'),
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      { name: 'an ARN does not cover the "*" resource', resource: '*', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'Resource in the aws partition',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: NODE.replace('arn:openssm:', 'arn:aws:'),
        }),
      },
      ...START,
    },
    [{ name: 'matches the openssm node', expect: 'Allow', deciding: ['P[0]'] }],
  ),
  ...scenario(
    'Resource in another partition',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: NODE.replace('arn:openssm:', 'arn:aws-cn:'),
        }),
      },
      ...START,
    },
    [{ name: 'does not match', expect: 'ImplicitDeny' }],
  ),
  ...scenario(
    'Resource: every node',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: 'arn:openssm:ssm:*:*:managed-instance/*',
        }),
      },
      ...START,
    },
    [
      { name: 'a node', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'a node in another region', resource: NODE_EU, expect: 'Allow', deciding: ['P[0]'] },
      {
        name: 'a node of another account',
        resource: NODE_OTHER_ACCOUNT,
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      {
        name: 'not a document',
        resource: document('SSM-SessionManagerRunShell'),
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'Resource: nodes of one region and account',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: `${PREFIX}:managed-instance/*`,
        }),
      },
      ...START,
    },
    [
      { name: 'a node there', resource: NODE_2, expect: 'Allow', deciding: ['P[0]'] },
      { name: 'not in another region', resource: NODE_EU, expect: 'ImplicitDeny' },
      { name: 'not of another account', resource: NODE_OTHER_ACCOUNT, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'Resource with ?',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: `${PREFIX}:managed-instance/mi-0123456789abcdef?`,
        }),
      },
      ...START,
    },
    [
      { name: 'one character', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'not two', resource: `${NODE}0`, expect: 'ImplicitDeny' },
      {
        name: 'not none',
        resource: `${PREFIX}:managed-instance/mi-0123456789abcdef`,
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'Resource *',
    {
      policies: { P: doc({ Effect: 'Allow', Action: 'ssm:DescribeSessions', Resource: '*' }) },
      action: 'ssm:DescribeSessions',
      resource: '*',
    },
    [
      { name: 'covers the "*" resource', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'covers any ARN', resource: session('bob-1'), expect: 'Allow', deciding: ['P[0]'] },
    ],
  ),
  ...scenario(
    'Resource: a document name is case-sensitive',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: document('aws-startportforwardingsession'),
        }),
      },
      action: 'ssm:StartSession',
      resource: document('AWS-StartPortForwardingSession'),
    },
    [{ name: 'so it does not match', expect: 'ImplicitDeny' }],
  ),
  ...scenario(
    'NotResource in an Allow',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          NotResource: document('AWS-StartPortForwardingSession*'),
        }),
      },
      ...START,
    },
    [
      { name: 'allows a node', expect: 'Allow', deciding: ['P[0]'] },
      {
        name: 'allows the shell document',
        resource: document('SSM-SessionManagerRunShell'),
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      {
        name: 'not the port document',
        resource: document('AWS-StartPortForwardingSession'),
        expect: 'ImplicitDeny',
      },
      {
        name: 'not the remote-host port document',
        resource: document('AWS-StartPortForwardingSessionToRemoteHost'),
        expect: 'ImplicitDeny',
      },
      { name: 'allows the "*" resource', resource: '*', expect: 'Allow', deciding: ['P[0]'] },
    ],
  ),
  ...scenario(
    'NotResource in a Deny',
    {
      policies: {
        P: doc(
          { Effect: 'Allow', Action: 'ssm:*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ssm:StartSession',
            NotResource: [
              'arn:aws:ssm:*:*:managed-instance/*',
              document('SSM-SessionManagerRunShell'),
            ],
          },
        ),
      },
      ...START,
    },
    [
      { name: 'a node is not denied', expect: 'Allow', deciding: ['P[0]'] },
      {
        name: 'the shell document is not denied',
        resource: document('SSM-SessionManagerRunShell'),
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      {
        name: 'any other document is',
        resource: document('AWS-StartInteractiveCommand'),
        expect: 'ExplicitDeny',
        deciding: ['P[1]'],
      },
      {
        name: 'other actions are not',
        action: 'ssm:TerminateSession',
        resource: session('bob-1'),
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// String operators.

const strings = [
  ...scenario(
    'StringEquals',
    { policies: allowIf({ StringEquals: { 'aws:username': 'alice' } }), ...START },
    [
      { name: 'equal', context: { 'aws:username': 'alice' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'different', context: { 'aws:username': 'bob' }, expect: 'ImplicitDeny' },
      {
        name: 'case-sensitive value',
        context: { 'aws:username': 'Alice' },
        expect: 'ImplicitDeny',
      },
      { name: 'key absent', expect: 'ImplicitDeny' },
      {
        name: 'context keys are case-insensitive',
        context: { 'AWS:UserName': 'alice' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
  ...scenario(
    'StringEquals with the key written in another case',
    { policies: allowIf({ StringEquals: { 'AWS:UserName': 'alice' } }), ...START },
    [
      {
        name: 'matches',
        context: { 'aws:username': 'alice' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
  ...scenario(
    'StringEquals with several values (OR)',
    { policies: allowIf({ StringEquals: { 'aws:username': ['alice', 'bob'] } }), ...START },
    [
      {
        name: 'the second',
        context: { 'aws:username': 'bob' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'neither', context: { 'aws:username': 'carol' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'StringEquals on two keys (AND)',
    {
      policies: allowIf({
        StringEquals: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1' },
      }),
      ...START,
      context: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1' },
    },
    [
      { name: 'both hold', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'one differs',
        context: { 'aws:RequestedRegion': 'eu-west-1' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'one is absent',
        context: { 'aws:RequestedRegion': undefined },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'two operators (AND)',
    {
      policies: allowIf({
        StringEquals: { 'aws:username': 'alice' },
        Bool: { 'aws:SecureTransport': 'true' },
      }),
      ...START,
      context: { 'aws:username': 'alice', 'aws:SecureTransport': true },
    },
    [
      { name: 'both hold', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'one fails', context: { 'aws:SecureTransport': false }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'StringEquals takes * literally',
    { policies: allowIf({ StringEquals: { 'ssm:resourceTag/Env': 'dev*' } }), ...START },
    [
      {
        name: 'no wildcard match',
        context: { 'ssm:resourceTag/Env': 'dev-1' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'the literal text',
        context: { 'ssm:resourceTag/Env': 'dev*' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
  ...scenario(
    'StringEqualsIfExists',
    { policies: allowIf({ StringEqualsIfExists: { 'ssm:resourceTag/Env': 'dev' } }), ...START },
    [
      { name: 'absent key passes', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'equal passes',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'different fails',
        context: { 'ssm:resourceTag/Env': 'prod' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'StringNotEquals in a Deny (NOR of the values)',
    {
      policies: denyIf({ StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }),
      ...START,
    },
    [
      {
        name: 'first listed region',
        context: { 'aws:RequestedRegion': 'us-east-1' },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      {
        name: 'second listed region',
        context: { 'aws:RequestedRegion': 'eu-west-1' },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      {
        name: 'unlisted region',
        context: { 'aws:RequestedRegion': 'ap-south-1' },
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
      { name: 'absent key: a negated operator holds', expect: 'ExplicitDeny', deciding: ['G[1]'] },
    ],
  ),
  ...scenario(
    'StringNotEqualsIfExists',
    { policies: allowIf({ StringNotEqualsIfExists: { 'ssm:resourceTag/Env': 'prod' } }), ...START },
    [
      { name: 'absent key passes', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'other value passes',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'the value fails',
        context: { 'ssm:resourceTag/Env': 'prod' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'StringEqualsIgnoreCase',
    { policies: allowIf({ StringEqualsIgnoreCase: { 'ssm:resourceTag/Env': 'Dev' } }), ...START },
    [
      {
        name: 'upper case',
        context: { 'ssm:resourceTag/Env': 'DEV' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'lower case',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'different', context: { 'ssm:resourceTag/Env': 'prod' }, expect: 'ImplicitDeny' },
      { name: 'absent', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'StringEqualsIgnoreCaseIfExists',
    {
      policies: allowIf({ StringEqualsIgnoreCaseIfExists: { 'ssm:resourceTag/Env': 'dev' } }),
      ...START,
    },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'different fails',
        context: { 'ssm:resourceTag/Env': 'PROD' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'StringNotEqualsIgnoreCase',
    {
      policies: allowIf({ StringNotEqualsIgnoreCase: { 'ssm:resourceTag/Env': 'prod' } }),
      ...START,
    },
    [
      {
        name: 'the value in upper case fails',
        context: { 'ssm:resourceTag/Env': 'PROD' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'other value passes',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
    ],
  ),
  ...scenario(
    'StringNotEqualsIgnoreCaseIfExists',
    {
      policies: allowIf({ StringNotEqualsIgnoreCaseIfExists: { 'ssm:resourceTag/Env': 'prod' } }),
      ...START,
    },
    [
      {
        name: 'the value fails',
        context: { 'ssm:resourceTag/Env': 'Prod' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'StringLike',
    { policies: allowIf({ StringLike: { 'ssm:resourceTag/Env': 'dev*' } }), ...START },
    [
      {
        name: '* matches nothing',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: '* matches a suffix',
        context: { 'ssm:resourceTag/Env': 'dev-eu' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'case-sensitive', context: { 'ssm:resourceTag/Env': 'Dev' }, expect: 'ImplicitDeny' },
      {
        name: 'anchored at the start',
        context: { 'ssm:resourceTag/Env': 'prod-dev' },
        expect: 'ImplicitDeny',
      },
      { name: 'absent', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'StringLike with ?',
    { policies: allowIf({ StringLike: { 'ssm:resourceTag/Name': 'web-??' } }), ...START },
    [
      {
        name: 'two characters',
        context: { 'ssm:resourceTag/Name': 'web-01' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'not one', context: { 'ssm:resourceTag/Name': 'web-1' }, expect: 'ImplicitDeny' },
      { name: 'not three', context: { 'ssm:resourceTag/Name': 'web-001' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'StringLikeIfExists',
    { policies: allowIf({ StringLikeIfExists: { 'ssm:resourceTag/Env': 'dev*' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'mismatch fails',
        context: { 'ssm:resourceTag/Env': 'prod' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'StringNotLike in a Deny',
    {
      policies: denyIf({ StringNotLike: { 'aws:PrincipalArn': 'arn:openssm:iam::*:role/Admin*' } }),
      ...START,
    },
    [
      {
        name: 'a user is denied',
        context: { 'aws:PrincipalArn': USER_ALICE },
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
      {
        name: 'an admin role is not',
        context: { 'aws:PrincipalArn': `arn:openssm:iam::${ACCOUNT}:role/AdminOps` },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      { name: 'absent key: denied', expect: 'ExplicitDeny', deciding: ['G[1]'] },
    ],
  ),
  ...scenario(
    'StringNotLike with several values (NOR)',
    {
      policies: allowIf({ StringNotLike: { 'ssm:resourceTag/Env': ['dev*', 'test*'] } }),
      ...START,
    },
    [
      {
        name: 'like the first',
        context: { 'ssm:resourceTag/Env': 'dev1' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'like the second',
        context: { 'ssm:resourceTag/Env': 'test1' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'like neither',
        context: { 'ssm:resourceTag/Env': 'prod' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
  ...scenario(
    'StringNotLikeIfExists',
    { policies: allowIf({ StringNotLikeIfExists: { 'ssm:resourceTag/Env': 'prod*' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'like fails', context: { 'ssm:resourceTag/Env': 'prod-1' }, expect: 'ImplicitDeny' },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// Numeric, Date, Bool, Binary.

const AGE = 'aws:MultiFactorAuthAge';

const numbers = [
  ...scenario(
    'NumericLessThan',
    { policies: allowIf({ NumericLessThan: { [AGE]: 3600 } }), ...START },
    [
      { name: 'less', context: { [AGE]: '10' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'equal is not less', context: { [AGE]: '3600' }, expect: 'ImplicitDeny' },
      { name: 'greater', context: { [AGE]: 4000 }, expect: 'ImplicitDeny' },
      { name: 'absent', expect: 'ImplicitDeny' },
      { name: 'not a number', context: { [AGE]: 'abc' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'NumericLessThanEquals',
    { policies: allowIf({ NumericLessThanEquals: { [AGE]: '3600' } }), ...START },
    [
      { name: 'equal', context: { [AGE]: '3600' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'greater', context: { [AGE]: '3601' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'NumericGreaterThan',
    { policies: allowIf({ NumericGreaterThan: { [AGE]: '10' } }), ...START },
    [
      { name: 'greater', context: { [AGE]: '11' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'equal is not greater', context: { [AGE]: '10' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'NumericGreaterThanEquals',
    { policies: allowIf({ NumericGreaterThanEquals: { [AGE]: '10' } }), ...START },
    [
      { name: 'equal', context: { [AGE]: '10' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'less', context: { [AGE]: '9.5' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'NumericEquals',
    { policies: allowIf({ NumericEquals: { [AGE]: '10' } }), ...START },
    [
      { name: 'the same number', context: { [AGE]: '10' }, expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'compared as numbers, not text',
        context: { [AGE]: '10.0' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'another number', context: { [AGE]: '11' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'NumericNotEquals (NOR of the values)',
    { policies: allowIf({ NumericNotEquals: { [AGE]: ['10', '20'] } }), ...START },
    [
      { name: 'neither', context: { [AGE]: '15' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'the first', context: { [AGE]: '10' }, expect: 'ImplicitDeny' },
      { name: 'the second', context: { [AGE]: '20' }, expect: 'ImplicitDeny' },
      { name: 'absent: a negated operator holds', expect: 'Allow', deciding: ['C[0]'] },
    ],
  ),
  ...scenario(
    'NumericLessThanIfExists',
    { policies: allowIf({ NumericLessThanIfExists: { [AGE]: '3600' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'too large fails', context: { [AGE]: '7200' }, expect: 'ImplicitDeny' },
    ],
  ),
];

const TIME = 'aws:CurrentTime';

const dates = [
  ...scenario(
    'DateLessThan',
    {
      policies: allowIf({ DateLessThan: { [TIME]: '2026-12-31T23:59:59Z' } }),
      ...START,
      context: { [TIME]: NOW },
    },
    [
      { name: 'before', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'after', context: { [TIME]: '2027-01-01T00:00:00Z' }, expect: 'ImplicitDeny' },
      { name: 'absent', context: { [TIME]: undefined }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'DateGreaterThan with an epoch-seconds value',
    {
      policies: allowIf({ DateGreaterThan: { [TIME]: '1767225600' } }),
      ...START,
      context: { [TIME]: NOW },
    },
    [
      { name: 'after 2026-01-01', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'before it', context: { [TIME]: '2025-12-31T23:59:59Z' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'DateEquals across notations',
    {
      policies: allowIf({ DateEquals: { 'aws:EpochTime': '2026-11-26T20:10:00+01:00' } }),
      ...START,
    },
    [
      {
        name: 'epoch seconds against an offset time',
        context: { 'aws:EpochTime': NOW_EPOCH },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'one second later',
        context: { 'aws:EpochTime': '1795720201' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'DateNotEquals',
    { policies: allowIf({ DateNotEquals: { [TIME]: NOW } }), ...START },
    [
      {
        name: 'the same instant fails',
        context: { [TIME]: '2026-11-26T19:10:00.000Z' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'another instant passes',
        context: { [TIME]: '2026-11-26T19:10:01Z' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
    ],
  ),
  ...scenario(
    'DateLessThanEquals',
    { policies: allowIf({ DateLessThanEquals: { [TIME]: NOW } }), ...START },
    [
      { name: 'equal', context: { [TIME]: NOW }, expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'a second later',
        context: { [TIME]: '2026-11-26T19:10:01Z' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'DateGreaterThanEquals',
    { policies: allowIf({ DateGreaterThanEquals: { [TIME]: NOW } }), ...START },
    [
      { name: 'equal', context: { [TIME]: NOW }, expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'a second earlier',
        context: { [TIME]: '2026-11-26T19:09:59Z' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'a time window (two Date operators)',
    {
      policies: allowIf({
        DateGreaterThan: { [TIME]: '2026-11-26T09:00:00Z' },
        DateLessThan: { [TIME]: '2026-11-26T17:00:00Z' },
      }),
      ...START,
    },
    [
      {
        name: 'inside',
        context: { [TIME]: '2026-11-26T12:00:00Z' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'after', context: { [TIME]: NOW }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'DateGreaterThan a date without a time',
    { policies: allowIf({ DateGreaterThan: { [TIME]: '2026-11-26' } }), ...START },
    [
      { name: 'later that day', context: { [TIME]: NOW }, expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'the day before',
        context: { [TIME]: '2026-11-25T23:00:00Z' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'DateLessThanIfExists',
    { policies: allowIf({ DateLessThanIfExists: { [TIME]: '2026-01-01T00:00:00Z' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'too late fails', context: { [TIME]: NOW }, expect: 'ImplicitDeny' },
    ],
  ),
];

const booleans = [
  ...scenario(
    'Bool true',
    { policies: allowIf({ Bool: { 'aws:SecureTransport': 'true' } }), ...START },
    [
      {
        name: 'true',
        context: { 'aws:SecureTransport': true },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'false', context: { 'aws:SecureTransport': false }, expect: 'ImplicitDeny' },
      { name: 'absent', expect: 'ImplicitDeny' },
      { name: 'not a boolean', context: { 'aws:SecureTransport': 'yes' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'Bool false in a Deny (JSON boolean value)',
    { policies: denyIf({ Bool: { 'aws:SecureTransport': false } }), ...START },
    [
      {
        name: 'plain HTTP is denied',
        context: { 'aws:SecureTransport': false },
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
      {
        name: 'TLS is not',
        context: { 'aws:SecureTransport': true },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      { name: 'absent is not', expect: 'Allow', deciding: ['G[0]'] },
    ],
  ),
  ...scenario(
    'Bool MFA present',
    { policies: allowIf({ Bool: { 'aws:MultiFactorAuthPresent': true } }), ...START },
    [
      {
        name: 'with MFA',
        context: { 'aws:MultiFactorAuthPresent': 'true' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'access keys carry no MFA key', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'BoolIfExists',
    { policies: allowIf({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'false fails',
        context: { 'aws:MultiFactorAuthPresent': false },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'BinaryEquals',
    {
      policies: allowIf({ BinaryEquals: { 'ssm:SampleBinary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }),
      ...START,
    },
    [
      {
        name: 'the same bytes',
        context: { 'ssm:SampleBinary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'other bytes', context: { 'ssm:SampleBinary': 'T3RoZXI=' }, expect: 'ImplicitDeny' },
      { name: 'absent', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'BinaryEqualsIfExists',
    { policies: allowIf({ BinaryEqualsIfExists: { 'ssm:SampleBinary': 'T3RoZXI=' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'other bytes fail', context: { 'ssm:SampleBinary': 'QUJD' }, expect: 'ImplicitDeny' },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// IpAddress, NotIpAddress.

const IP = 'aws:SourceIp';

const addresses = [
  ...scenario(
    'IpAddress IPv4 CIDR',
    { policies: allowIf({ IpAddress: { [IP]: '203.0.113.0/24' } }), ...START },
    [
      { name: 'inside', context: { [IP]: '203.0.113.7' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'outside', context: { [IP]: '203.0.114.7' }, expect: 'ImplicitDeny' },
      { name: 'absent', expect: 'ImplicitDeny' },
      {
        name: 'IPv4-mapped IPv6 caller inside',
        context: { [IP]: '::ffff:203.0.113.7' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'not an address', context: { [IP]: 'not-an-ip' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'IpAddress with a list and a bare address',
    { policies: allowIf({ IpAddress: { [IP]: ['203.0.113.0/24', '198.51.100.17'] } }), ...START },
    [
      {
        name: 'the bare address is a /32',
        context: { [IP]: '198.51.100.17' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'its neighbour is not', context: { [IP]: '198.51.100.18' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'IpAddress IPv6 CIDR',
    { policies: allowIf({ IpAddress: { [IP]: '2001:DB8:1234:5678::/64' } }), ...START },
    [
      {
        name: 'inside',
        context: { [IP]: '2001:db8:1234:5678::1' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'last address inside',
        context: { [IP]: '2001:db8:1234:5678:ffff:ffff:ffff:ffff' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'next network', context: { [IP]: '2001:db8:1234:5679::1' }, expect: 'ImplicitDeny' },
      { name: 'an IPv4 caller', context: { [IP]: '203.0.113.7' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'IpAddress 0.0.0.0/0',
    { policies: allowIf({ IpAddress: { [IP]: '0.0.0.0/0' } }), ...START },
    [
      { name: 'any IPv4', context: { [IP]: '192.0.2.1' }, expect: 'Allow', deciding: ['C[0]'] },
      { name: 'not IPv6', context: { [IP]: '::1' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'NotIpAddress in a Deny (AWS: deny outside the corporate ranges)',
    {
      policies: {
        G: doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { NotIpAddress: { [IP]: ['192.0.2.0/24', '203.0.113.0/24'] } },
          },
        ),
      },
      ...START,
    },
    [
      { name: 'first range', context: { [IP]: '192.0.2.10' }, expect: 'Allow', deciding: ['G[0]'] },
      {
        name: 'second range',
        context: { [IP]: '203.0.113.5' },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      {
        name: 'elsewhere',
        context: { [IP]: '198.51.100.1' },
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
      { name: 'absent: denied', expect: 'ExplicitDeny', deciding: ['G[1]'] },
    ],
  ),
  ...scenario(
    'IpAddressIfExists',
    { policies: allowIf({ IpAddressIfExists: { [IP]: '10.0.0.0/8' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'outside fails', context: { [IP]: '192.0.2.1' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'NotIpAddressIfExists',
    { policies: allowIf({ NotIpAddressIfExists: { [IP]: '10.0.0.0/8' } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'inside fails', context: { [IP]: '10.1.2.3' }, expect: 'ImplicitDeny' },
      {
        name: 'outside passes',
        context: { [IP]: '192.0.2.1' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// Arn operators and Null.

const PRINCIPAL_ARN = 'aws:PrincipalArn';

const arns = [
  ...scenario(
    'ArnEquals',
    { policies: allowIf({ ArnEquals: { [PRINCIPAL_ARN]: USER_ALICE } }), ...START },
    [
      {
        name: 'equal',
        context: { [PRINCIPAL_ARN]: USER_ALICE },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'other user', context: { [PRINCIPAL_ARN]: USER_BOB }, expect: 'ImplicitDeny' },
      { name: 'absent', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'ArnEquals with a wildcard (same as ArnLike)',
    {
      policies: allowIf({ ArnEquals: { [PRINCIPAL_ARN]: 'arn:openssm:iam::*:user/alice' } }),
      ...START,
    },
    [
      {
        name: 'matches',
        context: { [PRINCIPAL_ARN]: USER_ALICE },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
  ...scenario(
    'ArnLike in the aws partition',
    {
      policies: allowIf({ ArnLike: { [PRINCIPAL_ARN]: `arn:aws:iam::${ACCOUNT}:role/Ops*` } }),
      ...START,
    },
    [
      {
        name: 'matching role',
        context: { [PRINCIPAL_ARN]: `arn:openssm:iam::${ACCOUNT}:role/OpsAdmin` },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'other role',
        context: { [PRINCIPAL_ARN]: `arn:openssm:iam::${ACCOUNT}:role/Dev` },
        expect: 'ImplicitDeny',
      },
      {
        name: 'other account',
        context: { [PRINCIPAL_ARN]: 'arn:openssm:iam::111122223333:role/OpsAdmin' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'case-sensitive',
        context: { [PRINCIPAL_ARN]: `arn:openssm:iam::${ACCOUNT}:role/opsAdmin` },
        expect: 'ImplicitDeny',
      },
      { name: 'not an ARN', context: { [PRINCIPAL_ARN]: 'alice' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'ArnLike checks each component separately',
    {
      policies: allowIf({ ArnLike: { 'aws:SourceArn': `arn:openssm:ssm:*:${ACCOUNT}:session/*` } }),
      ...START,
    },
    [
      {
        name: 'a session ARN',
        context: { 'aws:SourceArn': session('x') },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'a region wildcard cannot swallow an extra component',
        context: { 'aws:SourceArn': `arn:openssm:ssm:us-east-1:junk:${ACCOUNT}:session/x` },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'ArnLikeIfExists',
    {
      policies: allowIf({ ArnLikeIfExists: { [PRINCIPAL_ARN]: 'arn:openssm:iam::*:role/*' } }),
      ...START,
    },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'a user fails', context: { [PRINCIPAL_ARN]: USER_ALICE }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'ArnNotEquals in a Deny',
    {
      policies: denyIf({
        ArnNotEquals: { [PRINCIPAL_ARN]: `arn:openssm:iam::${ACCOUNT}:role/Admin` },
      }),
      ...START,
    },
    [
      {
        name: 'the admin role passes',
        context: { [PRINCIPAL_ARN]: `arn:openssm:iam::${ACCOUNT}:role/Admin` },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      {
        name: 'a user is denied',
        context: { [PRINCIPAL_ARN]: USER_ALICE },
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
      { name: 'absent: denied', expect: 'ExplicitDeny', deciding: ['G[1]'] },
    ],
  ),
  ...scenario(
    'ArnNotLike',
    {
      policies: allowIf({ ArnNotLike: { [PRINCIPAL_ARN]: 'arn:openssm:iam::*:role/Guest*' } }),
      ...START,
    },
    [
      {
        name: 'a user passes',
        context: { [PRINCIPAL_ARN]: USER_ALICE },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'a guest role fails',
        context: { [PRINCIPAL_ARN]: `arn:openssm:iam::${ACCOUNT}:role/GuestX` },
        expect: 'ImplicitDeny',
      },
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
    ],
  ),
  ...scenario(
    'ArnNotLikeIfExists',
    {
      policies: allowIf({
        ArnNotLikeIfExists: { [PRINCIPAL_ARN]: 'arn:openssm:iam::*:role/Guest*' },
      }),
      ...START,
    },
    [
      {
        name: 'a guest role fails',
        context: { [PRINCIPAL_ARN]: `arn:openssm:iam::${ACCOUNT}:role/Guest` },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'ArnNotEqualsIfExists',
    { policies: allowIf({ ArnNotEqualsIfExists: { [PRINCIPAL_ARN]: USER_BOB } }), ...START },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'bob fails', context: { [PRINCIPAL_ARN]: USER_BOB }, expect: 'ImplicitDeny' },
    ],
  ),
];

const nulls = [
  ...scenario(
    'Null true: only long-term credentials',
    { policies: allowIf({ Null: { 'aws:TokenIssueTime': 'true' } }), ...START },
    [
      { name: 'no token', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'temporary credentials',
        context: { 'aws:TokenIssueTime': NOW },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'Null false: only temporary credentials',
    { policies: allowIf({ Null: { 'aws:TokenIssueTime': false } }), ...START },
    [
      {
        name: 'temporary credentials',
        context: { 'aws:TokenIssueTime': NOW },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'no token', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'Null in a Deny: untagged nodes',
    {
      policies: {
        G: doc(
          { Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ssm:StartSession',
            Resource: '*',
            Condition: { Null: { 'ssm:resourceTag/Owner': 'true' } },
          },
        ),
      },
      ...START,
    },
    [
      { name: 'untagged is denied', expect: 'ExplicitDeny', deciding: ['G[1]'] },
      {
        name: 'tagged is allowed',
        context: { 'ssm:resourceTag/Owner': 'alice' },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
    ],
  ),
  ...scenario(
    'Null true with an empty list',
    { policies: allowIf({ Null: { 'aws:TagKeys': 'true' } }), ...START },
    [
      {
        name: 'OpenSSM: an empty list is a null value',
        context: { 'aws:TagKeys': [] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'a list with values is not',
        context: { 'aws:TagKeys': ['Env'] },
        expect: 'ImplicitDeny',
      },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// Multivalued keys: ForAllValues, ForAnyValue.

const TAG_KEYS = 'aws:TagKeys';
const TAG = { action: 'ssm:AddTagsToResource', resource: NODE } as const;
const allowTagIf = (condition: object): PolicyVector['policies'] => ({
  C: doc({ Effect: 'Allow', Action: 'ssm:AddTagsToResource', Resource: '*', Condition: condition }),
});

const sets = [
  ...scenario(
    'ForAllValues:StringEquals',
    {
      policies: allowTagIf({ 'ForAllValues:StringEquals': { [TAG_KEYS]: ['Env', 'Owner'] } }),
      ...TAG,
    },
    [
      { name: 'a subset', context: { [TAG_KEYS]: ['Env'] }, expect: 'Allow', deciding: ['C[0]'] },
      {
        name: 'the whole set',
        context: { [TAG_KEYS]: ['Env', 'Owner'] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'one value outside',
        context: { [TAG_KEYS]: ['Env', 'Cost'] },
        expect: 'ImplicitDeny',
      },
      { name: 'absent key: true', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'empty set: true', context: { [TAG_KEYS]: [] }, expect: 'Allow', deciding: ['C[0]'] },
    ],
  ),
  ...scenario(
    'ForAnyValue:StringEquals',
    { policies: allowTagIf({ 'ForAnyValue:StringEquals': { [TAG_KEYS]: 'Env' } }), ...TAG },
    [
      {
        name: 'one value matches',
        context: { [TAG_KEYS]: ['Owner', 'Env'] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'none matches', context: { [TAG_KEYS]: ['Owner'] }, expect: 'ImplicitDeny' },
      { name: 'absent key: false', expect: 'ImplicitDeny' },
      { name: 'empty set: false', context: { [TAG_KEYS]: [] }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'ForAllValues:StringNotLike in a Deny (AWS example)',
    {
      policies: {
        G: doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ssm:AddTagsToResource',
            Resource: '*',
            Condition: { 'ForAllValues:StringNotLike': { [TAG_KEYS]: 'key1*' } },
          },
        ),
      },
      ...TAG,
    },
    [
      {
        name: 'key1:legal → no match',
        context: { [TAG_KEYS]: ['key1:legal'] },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      {
        name: 'key1:hr, key1:personnel → no match',
        context: { [TAG_KEYS]: ['key1:hr', 'key1:personnel'] },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
      {
        name: 'key2:audit → match',
        context: { [TAG_KEYS]: ['key2:audit'] },
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
      { name: 'no TagKeys → match', expect: 'ExplicitDeny', deciding: ['G[1]'] },
      {
        name: 'key1:legal, key2:audit → not all unlike',
        context: { [TAG_KEYS]: ['key1:legal', 'key2:audit'] },
        expect: 'Allow',
        deciding: ['G[0]'],
      },
    ],
  ),
  ...scenario(
    'ForAnyValue:StringNotEquals',
    { policies: allowTagIf({ 'ForAnyValue:StringNotEquals': { [TAG_KEYS]: 'Env' } }), ...TAG },
    [
      {
        name: 'one value differs',
        context: { [TAG_KEYS]: ['Env', 'Owner'] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'all equal', context: { [TAG_KEYS]: ['Env'] }, expect: 'ImplicitDeny' },
      { name: 'absent key: false', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'ForAllValues:StringLike',
    { policies: allowTagIf({ 'ForAllValues:StringLike': { [TAG_KEYS]: 'Created*' } }), ...TAG },
    [
      {
        name: 'all like',
        context: { [TAG_KEYS]: ['CreatedBy', 'CreatedAt'] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'one unlike',
        context: { [TAG_KEYS]: ['CreatedBy', 'Owner'] },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'ForAnyValue:StringLikeIfExists',
    { policies: allowTagIf({ 'ForAnyValue:StringLikeIfExists': { [TAG_KEYS]: 'Env*' } }), ...TAG },
    [
      { name: 'absent passes', expect: 'Allow', deciding: ['C[0]'] },
      { name: 'none like fails', context: { [TAG_KEYS]: ['Owner'] }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'ForAllValues on a single-valued key (AWS warns: fails open)',
    {
      policies: allowIf({
        'ForAllValues:StringEquals': { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] },
      }),
      ...START,
    },
    [
      {
        name: 'a listed value',
        context: { 'aws:RequestedRegion': 'us-east-1' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: 'an unlisted value',
        context: { 'aws:RequestedRegion': 'ap-south-1' },
        expect: 'ImplicitDeny',
      },
      { name: 'absent: true', expect: 'Allow', deciding: ['C[0]'] },
    ],
  ),
  ...scenario(
    'a plain operator on a multivalued key',
    { policies: allowTagIf({ StringEquals: { [TAG_KEYS]: 'Owner' } }), ...TAG },
    [
      {
        name: 'OpenSSM: any value matching is enough',
        context: { [TAG_KEYS]: ['Env', 'Owner'] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'none matching', context: { [TAG_KEYS]: ['Env'] }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'a plain negated operator on a multivalued key',
    { policies: allowTagIf({ StringNotEquals: { [TAG_KEYS]: 'Owner' } }), ...TAG },
    [
      {
        name: 'OpenSSM: one value equal fails',
        context: { [TAG_KEYS]: ['Env', 'Owner'] },
        expect: 'ImplicitDeny',
      },
      {
        name: 'none equal passes',
        context: { [TAG_KEYS]: ['Env'] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
  ...scenario(
    'ForAnyValue:StringEquals on service principal names',
    {
      policies: allowIf({
        'ForAnyValue:StringEquals': { 'aws:PrincipalServiceNamesList': 'ssm.amazonaws.com' },
      }),
      ...START,
    },
    [
      {
        name: 'listed among several',
        context: { 'aws:PrincipalServiceNamesList': ['ec2.amazonaws.com', 'ssm.amazonaws.com'] },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// Policy variables.

const OWN_SESSION = 'alice-0a1b2c3d4e5f67890';

const variables = [
  ...scenario(
    '${aws:username} in a Resource',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:TerminateSession',
          Resource: 'arn:aws:ssm:*:*:session/${aws:username}-*',
        }),
      },
      action: 'ssm:TerminateSession',
      resource: session(OWN_SESSION),
      context: { 'aws:username': 'alice' },
    },
    [
      { name: 'own session', expect: 'Allow', deciding: ['P[0]'] },
      {
        name: "another user's session",
        resource: session('bob-0a1b2c3d4e5f67890'),
        expect: 'ImplicitDeny',
      },
      {
        name: 'a longer name with the same start',
        resource: session('alicex-0a1b2c3d4e5f6'),
        expect: 'ImplicitDeny',
      },
      {
        name: 'the substituted value is case-sensitive',
        resource: session('Alice-0a1b2c3d4e5f6'),
        expect: 'ImplicitDeny',
      },
      {
        name: 'no user name (a role): no match',
        context: { 'aws:username': undefined },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    '${aws:userid} in a Resource',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: ['ssm:TerminateSession', 'ssm:ResumeSession'],
          Resource: 'arn:aws:ssm:*:*:session/${aws:userid}-*',
        }),
      },
      action: 'ssm:ResumeSession',
      resource: session('AIDAEXAMPLEUSERID-0123456789'),
      context: { 'aws:userid': 'AIDAEXAMPLEUSERID' },
    },
    [
      { name: 'own session', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'another id', context: { 'aws:userid': 'AIDAOTHER' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'Version 2008-10-17: no substitution',
    {
      policies: {
        P: {
          Version: '2008-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ssm:TerminateSession',
              Resource: `${PREFIX}:session/\${aws:username}-*`,
            },
          ],
        },
      },
      action: 'ssm:TerminateSession',
      resource: session('alice-1'),
      context: { 'aws:username': 'alice' },
    },
    [
      { name: 'the variable is not replaced', expect: 'ImplicitDeny' },
      {
        name: 'it is literal text',
        resource: session('${aws:username}-1'),
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
  ...scenario(
    'no Version (read as 2008-10-17): no substitution',
    {
      policies: {
        P: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ssm:TerminateSession',
              Resource: `${PREFIX}:session/\${aws:username}-*`,
            },
          ],
        },
      },
      action: 'ssm:TerminateSession',
      resource: session('alice-1'),
      context: { 'aws:username': 'alice' },
    },
    [{ name: 'the variable is not replaced', expect: 'ImplicitDeny' }],
  ),
  ...scenario(
    'a default value',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:TerminateSession',
          Resource: `${PREFIX}:session/\${aws:username, 'guest'}-*`,
        }),
      },
      action: 'ssm:TerminateSession',
      resource: session('guest-1'),
    },
    [
      { name: 'used when the key is absent', expect: 'Allow', deciding: ['P[0]'] },
      {
        name: 'not used when it is present',
        context: { 'aws:username': 'alice' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'the value when present',
        context: { 'aws:username': 'alice' },
        resource: session('alice-1'),
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
  ...scenario(
    'a default value with spaces around it',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:TerminateSession',
          Resource: `${PREFIX}:session/\${ aws:username , 'guest' }-*`,
        }),
      },
      action: 'ssm:TerminateSession',
      resource: session('guest-1'),
    },
    [{ name: 'still a default', expect: 'Allow', deciding: ['P[0]'] }],
  ),
  ...scenario(
    '${*} is a literal asterisk',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:GetDocument',
          Resource: `${PREFIX}:document/\${*}`,
        }),
      },
      action: 'ssm:GetDocument',
      resource: document('*'),
    },
    [
      { name: 'matches "*"', expect: 'Allow', deciding: ['P[0]'] },
      {
        name: 'matches nothing else',
        resource: document('AWS-RunShellScript'),
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    '${?} is a literal question mark',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:GetDocument',
          Resource: `${PREFIX}:document/Doc\${?}`,
        }),
      },
      action: 'ssm:GetDocument',
      resource: document('Doc?'),
    },
    [
      { name: 'matches "Doc?"', expect: 'Allow', deciding: ['P[0]'] },
      { name: 'not "DocX"', resource: document('DocX'), expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    '${$} is a literal dollar',
    { policies: allowIf({ StringEquals: { 'ssm:resourceTag/Price': '${$}5' } }), ...START },
    [
      {
        name: 'matches "$5"',
        context: { 'ssm:resourceTag/Price': '$5' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'not "5"', context: { 'ssm:resourceTag/Price': '5' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'a substituted value is literal, even "*"',
    {
      policies: {
        P: doc({
          Effect: 'Allow',
          Action: 'ssm:GetDocument',
          Resource: `${PREFIX}:document/\${aws:PrincipalTag/Team}-*`,
        }),
      },
      action: 'ssm:GetDocument',
      resource: document('ops-runbook'),
      context: { 'aws:PrincipalTag/Team': '*' },
    },
    [
      { name: 'a tag of "*" does not widen the pattern', expect: 'ImplicitDeny' },
      {
        name: 'it matches a literal "*"',
        resource: document('*-runbook'),
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      {
        name: 'the team name',
        context: { 'aws:PrincipalTag/Team': 'ops' },
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
  ...scenario(
    'a variable in a condition value',
    {
      policies: allowIf({ StringEquals: { 'ssm:resourceTag/Owner': '${aws:username}' } }),
      ...START,
      context: { 'aws:username': 'alice' },
    },
    [
      {
        name: 'own node',
        context: { 'ssm:resourceTag/Owner': 'alice' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      {
        name: "another's node",
        context: { 'ssm:resourceTag/Owner': 'bob' },
        expect: 'ImplicitDeny',
      },
      {
        name: 'no user name: no match',
        context: { 'aws:username': undefined, 'ssm:resourceTag/Owner': 'alice' },
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'principal tag against node tag (ABAC)',
    {
      policies: allowIf({ StringEquals: { 'ssm:resourceTag/Team': '${aws:PrincipalTag/Team}' } }),
      ...START,
      context: { 'ssm:resourceTag/Team': 'ops' },
    },
    [
      {
        name: 'same team',
        context: { 'aws:PrincipalTag/Team': 'ops' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'other team', context: { 'aws:PrincipalTag/Team': 'dev' }, expect: 'ImplicitDeny' },
      { name: 'untagged principal', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'variable names are case-insensitive',
    {
      policies: allowIf({ StringEquals: { 'ssm:resourceTag/Owner': '${AWS:UserName}' } }),
      ...START,
    },
    [
      {
        name: 'resolves aws:username',
        context: { 'aws:username': 'alice', 'ssm:resourceTag/Owner': 'alice' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
    ],
  ),
  ...scenario(
    'a variable and a wildcard in StringLike',
    {
      policies: allowIf({ StringLike: { 'ssm:resourceTag/Owner': '${aws:username}*' } }),
      ...START,
      context: { 'aws:username': 'alice' },
    },
    [
      {
        name: 'prefix match',
        context: { 'ssm:resourceTag/Owner': 'alice-team' },
        expect: 'Allow',
        deciding: ['C[0]'],
      },
      { name: 'other prefix', context: { 'ssm:resourceTag/Owner': 'bob' }, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'an unresolved variable in a negated Deny condition',
    {
      policies: {
        G: doc(
          { Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'ssm:StartSession',
            Resource: '*',
            Condition: { StringNotEquals: { 'ssm:resourceTag/Owner': '${aws:username}' } },
          },
        ),
      },
      ...START,
      context: { 'ssm:resourceTag/Owner': 'alice' },
    },
    [
      { name: 'owner', context: { 'aws:username': 'alice' }, expect: 'Allow', deciding: ['G[0]'] },
      {
        name: 'not the owner',
        context: { 'aws:username': 'bob' },
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
      {
        name: 'OpenSSM: no user name, the value matches nothing, the Deny holds',
        expect: 'ExplicitDeny',
        deciding: ['G[1]'],
      },
    ],
  ),
  ...scenario(
    'a multivalued key cannot be a variable',
    {
      policies: {
        P: doc(
          {
            Effect: 'Allow',
            Action: 'ssm:GetDocument',
            Resource: `${PREFIX}:document/\${aws:TagKeys}`,
          },
          {
            Effect: 'Allow',
            Action: 'ssm:GetDocument',
            Resource: `${PREFIX}:document/\${aws:TagKeys, 'none'}`,
          },
        ),
      },
      action: 'ssm:GetDocument',
      resource: document('a'),
      context: { [TAG_KEYS]: ['a'] },
    },
    [
      { name: 'so it does not resolve', expect: 'ImplicitDeny' },
      {
        name: 'and its default applies',
        resource: document('none'),
        expect: 'Allow',
        deciding: ['P[1]'],
      },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// AWS's Session Manager sample policies (getting-started-restrict-access-*), with OpenSSM's
// managed-instance ARNs where AWS's samples name EC2 instances.

const SHELL = document('SSM-SessionManagerRunShell');

const sessionManager = [
  ...scenario(
    'sample: restrict access by node tag',
    {
      policies: {
        Tagged: doc(
          {
            Effect: 'Allow',
            Action: ['ssm:StartSession'],
            Resource: ['arn:aws:ssm:*:*:managed-instance/*'],
            Condition: { StringLike: { 'ssm:resourceTag/Env': ['dev', 'test'] } },
          },
          {
            Effect: 'Allow',
            Action: ['ssm:StartSession'],
            Resource: ['arn:aws:ssm:*:*:document/SSM-SessionManagerRunShell'],
          },
          {
            Effect: 'Allow',
            Action: [
              'ssm:DescribeSessions',
              'ssm:GetConnectionStatus',
              'ssm:DescribeInstanceInformation',
              'ssm:DescribeInstanceProperties',
            ],
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Action: ['ssm:TerminateSession', 'ssm:ResumeSession'],
            Resource: ['arn:aws:ssm:*:*:session/${aws:username}-*'],
          },
        ),
      },
      ...START,
      context: { 'aws:username': 'alice' },
    },
    [
      {
        name: 'a dev node',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['Tagged[0]'],
      },
      {
        name: 'a test node',
        context: { 'ssm:resourceTag/Env': 'test' },
        expect: 'Allow',
        deciding: ['Tagged[0]'],
      },
      { name: 'a prod node', context: { 'ssm:resourceTag/Env': 'prod' }, expect: 'ImplicitDeny' },
      { name: 'an untagged node', expect: 'ImplicitDeny' },
      {
        name: 'the default session document',
        resource: SHELL,
        expect: 'Allow',
        deciding: ['Tagged[1]'],
      },
      {
        name: 'another document',
        resource: document('AWS-StartSSHSession'),
        expect: 'ImplicitDeny',
      },
      {
        name: 'DescribeSessions',
        action: 'ssm:DescribeSessions',
        resource: '*',
        expect: 'Allow',
        deciding: ['Tagged[2]'],
      },
      {
        name: 'GetConnectionStatus',
        action: 'ssm:GetConnectionStatus',
        resource: NODE,
        expect: 'Allow',
        deciding: ['Tagged[2]'],
      },
      {
        name: 'terminate own session',
        action: 'ssm:TerminateSession',
        resource: session(OWN_SESSION),
        expect: 'Allow',
        deciding: ['Tagged[3]'],
      },
      {
        name: 'resume own session',
        action: 'ssm:ResumeSession',
        resource: session(OWN_SESSION),
        expect: 'Allow',
        deciding: ['Tagged[3]'],
      },
      {
        name: "terminate another's session",
        action: 'ssm:TerminateSession',
        resource: session('bob-0a1b2c3d4e5f67890'),
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'sample: deny production nodes by tag',
    {
      policies: {
        P: doc(
          {
            Sid: 'ReadAndStart',
            Effect: 'Allow',
            Action: ['ssm:StartSession', 'ssm:Describe*', 'ssm:Get*', 'ssm:List*'],
            Resource: '*',
          },
          {
            Sid: 'DenyProd',
            Effect: 'Deny',
            Action: 'ssm:StartSession',
            Resource: ['arn:aws:ssm:*:*:managed-instance/*'],
            Condition: { StringLike: { 'ssm:resourceTag/Env': 'prod*' } },
          },
        ),
      },
      ...START,
    },
    [
      {
        name: 'a prod node',
        context: { 'ssm:resourceTag/Env': 'prod-eu' },
        expect: 'ExplicitDeny',
        deciding: ['P[1]'],
      },
      {
        name: 'a dev node',
        context: { 'ssm:resourceTag/Env': 'dev' },
        expect: 'Allow',
        deciding: ['P[0]'],
      },
      {
        name: 'the document of a session to a prod node is not the node',
        resource: SHELL,
        context: { 'ssm:resourceTag/Env': 'prod' },
        expect: 'Allow',
        deciding: ['P[0]'],
      },
    ],
  ),
  ...scenario(
    'sample: end only own sessions (federated users, aws:userid)',
    {
      policies: {
        Own: doc({
          Effect: 'Allow',
          Action: ['ssm:TerminateSession', 'ssm:ResumeSession'],
          Resource: ['arn:aws:ssm:*:*:session/${aws:userid}-*'],
        }),
      },
      action: 'ssm:TerminateSession',
      resource: session('AROAEXAMPLEROLEID:alice-0a1b2c3d4e5f6'),
      context: { 'aws:userid': 'AROAEXAMPLEROLEID:alice' },
    },
    [
      { name: 'own role session', expect: 'Allow', deciding: ['Own[0]'] },
      {
        name: 'another session of the same role',
        resource: session('AROAEXAMPLEROLEID:bob-0a1b2c3d4e5f6'),
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'sample: deny port forwarding',
    {
      policies: {
        Sessions: doc({
          Effect: 'Allow',
          Action: ['ssm:StartSession', 'ssm:TerminateSession', 'ssm:ResumeSession'],
          Resource: '*',
        }),
        NoPorts: doc({
          Effect: 'Deny',
          Action: 'ssm:StartSession',
          Resource: ['arn:aws:ssm:*:*:document/AWS-StartPortForwardingSession*'],
        }),
      },
      action: 'ssm:StartSession',
      resource: document('AWS-StartPortForwardingSession'),
    },
    [
      { name: 'port forwarding is denied', expect: 'ExplicitDeny', deciding: ['NoPorts[0]'] },
      {
        name: 'to a remote host too',
        resource: document('AWS-StartPortForwardingSessionToRemoteHost'),
        expect: 'ExplicitDeny',
        deciding: ['NoPorts[0]'],
      },
      { name: 'a shell is allowed', resource: SHELL, expect: 'Allow', deciding: ['Sessions[0]'] },
      {
        name: 'the node itself is allowed',
        resource: NODE,
        expect: 'Allow',
        deciding: ['Sessions[0]'],
      },
      {
        name: 'SSH sessions are allowed',
        resource: document('AWS-StartSSHSession'),
        expect: 'Allow',
        deciding: ['Sessions[0]'],
      },
    ],
  ),
  ...scenario(
    'sample: read-only access',
    {
      policies: {
        ReadOnly: doc({
          Effect: 'Allow',
          Action: ['ssm:Describe*', 'ssm:Get*', 'ssm:List*'],
          Resource: '*',
        }),
      },
      action: 'ssm:DescribeInstanceInformation',
      resource: '*',
    },
    [
      { name: 'DescribeInstanceInformation', expect: 'Allow', deciding: ['ReadOnly[0]'] },
      {
        name: 'DescribeSessions',
        action: 'ssm:DescribeSessions',
        expect: 'Allow',
        deciding: ['ReadOnly[0]'],
      },
      {
        name: 'GetConnectionStatus',
        action: 'ssm:GetConnectionStatus',
        resource: NODE,
        expect: 'Allow',
        deciding: ['ReadOnly[0]'],
      },
      {
        name: 'ListTagsForResource',
        action: 'ssm:ListTagsForResource',
        resource: NODE,
        expect: 'Allow',
        deciding: ['ReadOnly[0]'],
      },
      {
        name: 'not StartSession',
        action: 'ssm:StartSession',
        resource: NODE,
        expect: 'ImplicitDeny',
      },
      {
        name: 'not TerminateSession',
        action: 'ssm:TerminateSession',
        resource: session(OWN_SESSION),
        expect: 'ImplicitDeny',
      },
      {
        name: 'not AddTagsToResource',
        action: 'ssm:AddTagsToResource',
        resource: NODE,
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'sample: the default session document with SessionDocumentAccessCheck',
    {
      policies: {
        Shell: doc({
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: [
            NODE.replace('arn:openssm:', 'arn:aws:'),
            'arn:aws:ssm:us-east-1:000000000000:document/SSM-SessionManagerRunShell',
          ],
          Condition: { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
        }),
      },
      action: 'ssm:StartSession',
      resource: SHELL,
    },
    [
      {
        name: 'checked',
        context: { 'ssm:SessionDocumentAccessCheck': true },
        expect: 'Allow',
        deciding: ['Shell[0]'],
      },
      { name: 'key absent', expect: 'Allow', deciding: ['Shell[0]'] },
      {
        name: 'check off',
        context: { 'ssm:SessionDocumentAccessCheck': false },
        expect: 'ImplicitDeny',
      },
      { name: 'the node', resource: NODE, expect: 'Allow', deciding: ['Shell[0]'] },
      { name: 'another node', resource: NODE_2, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'sample: specific nodes only',
    {
      policies: {
        Nodes: doc(
          {
            Effect: 'Allow',
            Action: ['ssm:StartSession'],
            Resource: [NODE, NODE_2.replace('arn:openssm:', 'arn:aws:'), SHELL],
          },
          {
            Effect: 'Allow',
            Action: ['ssm:TerminateSession', 'ssm:ResumeSession'],
            Resource: ['arn:aws:ssm:*:*:session/${aws:username}-*'],
          },
        ),
      },
      ...START,
      context: { 'aws:username': 'alice' },
    },
    [
      { name: 'the first node', expect: 'Allow', deciding: ['Nodes[0]'] },
      {
        name: 'the second node (aws partition in the policy)',
        resource: NODE_2,
        expect: 'Allow',
        deciding: ['Nodes[0]'],
      },
      { name: 'an unlisted node', resource: NODE_EU, expect: 'ImplicitDeny' },
      {
        name: 'resume own session',
        action: 'ssm:ResumeSession',
        resource: session(OWN_SESSION),
        expect: 'Allow',
        deciding: ['Nodes[1]'],
      },
    ],
  ),
  ...scenario(
    'sample: full administrative access to sessions',
    {
      policies: {
        Admin: doc({
          Effect: 'Allow',
          Action: [
            'ssm:StartSession',
            'ssm:TerminateSession',
            'ssm:ResumeSession',
            'ssm:DescribeSessions',
            'ssm:GetConnectionStatus',
          ],
          Resource: ['*'],
        }),
      },
      action: 'ssm:TerminateSession',
      resource: session('bob-0a1b2c3d4e5f67890'),
    },
    [
      { name: "terminate anyone's session", expect: 'Allow', deciding: ['Admin[0]'] },
      {
        name: 'start on any node',
        action: 'ssm:StartSession',
        resource: NODE_EU,
        expect: 'Allow',
        deciding: ['Admin[0]'],
      },
      {
        name: 'but not run commands',
        action: 'ssm:SendCommand',
        resource: NODE,
        expect: 'ImplicitDeny',
      },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// The built-in managed policies behave as named.

const builtin = (name: keyof typeof BUILTIN_POLICIES): PolicyVector['policies'] => ({
  [name]: BUILTIN_POLICIES[name].document,
});

const NODE_ACTIONS = [
  'ssm:RequestManagedInstanceRoleToken',
  'ssm:UpdateManagedInstancePublicKey',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

const builtins = [
  ...scenario('AdministratorAccess', { policies: builtin('AdministratorAccess'), ...START }, [
    { name: 'StartSession', expect: 'Allow', deciding: ['AdministratorAccess[0]'] },
    {
      name: 'DeleteDocument',
      action: 'ssm:DeleteDocument',
      resource: document('Mine'),
      expect: 'Allow',
      deciding: ['AdministratorAccess[0]'],
    },
    {
      name: 'iam:CreateUser',
      action: 'iam:CreateUser',
      resource: '*',
      expect: 'Allow',
      deciding: ['AdministratorAccess[0]'],
    },
    {
      name: 'a Deny still wins',
      policies: {
        ...builtin('AdministratorAccess'),
        Guard: doc({ Effect: 'Deny', Action: 'ssm:StartSession', Resource: NODE }),
      },
      expect: 'ExplicitDeny',
      deciding: ['Guard[0]'],
    },
  ]),
  ...scenario('AmazonSSMFullAccess', { policies: builtin('AmazonSSMFullAccess'), ...START }, [
    { name: 'StartSession', expect: 'Allow', deciding: ['AmazonSSMFullAccess[0]'] },
    {
      name: 'SendCommand',
      action: 'ssm:SendCommand',
      expect: 'Allow',
      deciding: ['AmazonSSMFullAccess[0]'],
    },
    {
      name: 'ssmmessages',
      action: 'ssmmessages:OpenDataChannel',
      resource: session('x'),
      expect: 'Allow',
      deciding: ['AmazonSSMFullAccess[0]'],
    },
    {
      name: 'ec2messages',
      action: 'ec2messages:GetMessages',
      resource: '*',
      expect: 'Allow',
      deciding: ['AmazonSSMFullAccess[0]'],
    },
    { name: 'not IAM', action: 'iam:CreateUser', resource: '*', expect: 'ImplicitDeny' },
    { name: 'not STS', action: 'sts:AssumeRole', resource: ROLE_OPS, expect: 'ImplicitDeny' },
  ]),
  ...scenario(
    'AmazonSSMReadOnlyAccess',
    {
      policies: builtin('AmazonSSMReadOnlyAccess'),
      action: 'ssm:DescribeInstanceInformation',
      resource: '*',
    },
    [
      {
        name: 'DescribeInstanceInformation',
        expect: 'Allow',
        deciding: ['AmazonSSMReadOnlyAccess[0]'],
      },
      {
        name: 'GetDocument',
        action: 'ssm:GetDocument',
        resource: SHELL,
        expect: 'Allow',
        deciding: ['AmazonSSMReadOnlyAccess[0]'],
      },
      {
        name: 'ListTagsForResource',
        action: 'ssm:ListTagsForResource',
        resource: NODE,
        expect: 'Allow',
        deciding: ['AmazonSSMReadOnlyAccess[0]'],
      },
      {
        name: 'not StartSession',
        action: 'ssm:StartSession',
        resource: NODE,
        expect: 'ImplicitDeny',
      },
      {
        name: 'not TerminateSession',
        action: 'ssm:TerminateSession',
        resource: session('x'),
        expect: 'ImplicitDeny',
      },
      {
        name: 'not SendCommand',
        action: 'ssm:SendCommand',
        resource: NODE,
        expect: 'ImplicitDeny',
      },
      {
        name: 'not a data channel',
        action: 'ssmmessages:OpenDataChannel',
        resource: session('x'),
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'AmazonSSMManagedInstanceCore',
    {
      policies: builtin('AmazonSSMManagedInstanceCore'),
      action: 'ssm:UpdateInstanceInformation',
      resource: NODE,
    },
    [
      ...NODE_ACTIONS.map((action) => ({
        name: `the agent's ${action}`,
        action,
        expect: 'Allow' as const,
        deciding: [
          action.startsWith('ssmmessages:')
            ? 'AmazonSSMManagedInstanceCore[1]'
            : action === 'ssm:UpdateInstanceInformation'
              ? 'AmazonSSMManagedInstanceCore[0]'
              : 'AmazonSSMManagedInstanceCore[3]',
        ],
      })),
      {
        name: 'ListInstanceAssociations',
        action: 'ssm:ListInstanceAssociations',
        expect: 'Allow',
        deciding: ['AmazonSSMManagedInstanceCore[0]'],
      },
      {
        name: 'ec2messages:GetMessages',
        action: 'ec2messages:GetMessages',
        resource: '*',
        expect: 'Allow',
        deciding: ['AmazonSSMManagedInstanceCore[2]'],
      },
      { name: 'not StartSession', action: 'ssm:StartSession', expect: 'ImplicitDeny' },
      { name: 'not SendCommand', action: 'ssm:SendCommand', expect: 'ImplicitDeny' },
      {
        name: 'not DescribeInstanceInformation',
        action: 'ssm:DescribeInstanceInformation',
        resource: '*',
        expect: 'ImplicitDeny',
      },
      { name: 'not IAM', action: 'iam:CreateAccessKey', resource: '*', expect: 'ImplicitDeny' },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// Principal and NotPrincipal: role trust policies (AssumeRole) and resource-based policies.

const trust = (...statements: object[]) => ({
  Trust: { kind: 'trust' as const, document: doc(...statements) },
});
const CAN_ASSUME = { Id: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_OPS }) };
const ASSUME = {
  assumeRole: true,
  action: 'sts:AssumeRole',
  resource: ROLE_OPS,
  principal: ALICE,
  policies: CAN_ASSUME,
} as const;
const sessionOf = (role: string, name: string): RequestPrincipal => ({
  type: 'AWS',
  id: `arn:openssm:sts::${ACCOUNT}:assumed-role/${role}/${name}`,
});

const principals = [
  ...scenario(
    'trust: a user',
    {
      ...ASSUME,
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { AWS: USER_ALICE },
        Action: 'sts:AssumeRole',
      }),
    },
    [
      { name: 'that user, allowed by both', expect: 'Allow', deciding: ['Id[0]', 'Trust[0]'] },
      { name: 'without an identity Allow', policies: {}, expect: 'ImplicitDeny' },
      { name: 'another user', principal: BOB, expect: 'ImplicitDeny' },
      { name: 'another action', action: 'sts:TagSession', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'trust: the account by id',
    {
      ...ASSUME,
      principal: BOB,
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { AWS: ACCOUNT },
        Action: 'sts:AssumeRole',
      }),
    },
    [
      {
        name: 'any user of the account with an identity Allow',
        expect: 'Allow',
        deciding: ['Id[0]', 'Trust[0]'],
      },
      { name: 'not without one', policies: {}, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'trust: the account root ARN, aws partition',
    {
      ...ASSUME,
      principal: BOB,
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      }),
    },
    [{ name: 'any user of the account', expect: 'Allow', deciding: ['Id[0]', 'Trust[0]'] }],
  ),
  ...scenario(
    'trust: another account',
    {
      ...ASSUME,
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { AWS: '111122223333' },
        Action: 'sts:AssumeRole',
      }),
    },
    [{ name: 'not this account', expect: 'ImplicitDeny' }],
  ),
  ...scenario(
    'trust: everyone',
    {
      ...ASSUME,
      resourcePolicies: trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }),
    },
    [
      { name: 'with an identity Allow', expect: 'Allow', deciding: ['Id[0]', 'Trust[0]'] },
      { name: 'without one', policies: {}, expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'trust: a role names its sessions',
    {
      ...ASSUME,
      principal: sessionOf('Admin', 'alice'),
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { AWS: `arn:openssm:iam::${ACCOUNT}:role/team/Admin` },
        Action: 'sts:AssumeRole',
      }),
    },
    [
      {
        name: 'a session of that role (path not in the session ARN)',
        expect: 'Allow',
        deciding: ['Id[0]', 'Trust[0]'],
      },
      {
        name: 'a session of another role',
        principal: sessionOf('Dev', 'alice'),
        expect: 'ImplicitDeny',
      },
    ],
  ),
  ...scenario(
    'trust: with a condition',
    {
      ...ASSUME,
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { AWS: [USER_ALICE, USER_BOB] },
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      }),
    },
    [
      {
        name: 'with MFA',
        context: { 'aws:MultiFactorAuthPresent': true },
        expect: 'Allow',
        deciding: ['Id[0]', 'Trust[0]'],
      },
      { name: 'without', expect: 'ImplicitDeny' },
    ],
  ),
  ...scenario(
    'trust: a Deny in the trust policy',
    {
      ...ASSUME,
      resourcePolicies: trust(
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: USER_BOB }, Action: 'sts:AssumeRole' },
      ),
      policies: { Id: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) },
    },
    [
      { name: 'denies bob', principal: BOB, expect: 'ExplicitDeny', deciding: ['Trust[1]'] },
      { name: 'not alice', expect: 'Allow', deciding: ['Id[0]', 'Trust[0]'] },
    ],
  ),
  ...scenario(
    'trust: a Deny in the identity policy',
    {
      ...ASSUME,
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { AWS: USER_ALICE },
        Action: 'sts:AssumeRole',
      }),
      policies: {
        Id: doc(
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
          { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: ROLE_OPS },
        ),
      },
    },
    [{ name: 'wins over both Allows', expect: 'ExplicitDeny', deciding: ['Id[1]'] }],
  ),
  ...scenario(
    'trust: a service principal (no identity policies)',
    {
      policies: {},
      resourcePolicies: trust({
        Effect: 'Allow',
        Principal: { Service: 'ssm.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      action: 'sts:AssumeRole',
      resource: ROLE_OPS,
      principal: { type: 'Service', id: 'ssm.amazonaws.com' },
    },
    [
      { name: 'the named service', expect: 'Allow', deciding: ['Trust[0]'] },
      {
        name: 'another service',
        principal: { type: 'Service', id: 'ec2.amazonaws.com' },
        expect: 'ImplicitDeny',
      },
      { name: 'a user', principal: ALICE, expect: 'ImplicitDeny' },
    ],
  ),
];

const shared = (...statements: object[]) => ({
  Doc: { kind: 'resource' as const, document: doc(...statements) },
});
const GET_SHARED = {
  policies: {},
  action: 'ssm:GetDocument',
  resource: document('Shared-Runbook'),
  principal: ALICE,
} as const;

const resourcePolicies = [
  ...scenario(
    'resource policy naming a user',
    {
      ...GET_SHARED,
      resourcePolicies: shared({
        Effect: 'Allow',
        Principal: { AWS: USER_ALICE },
        Action: 'ssm:GetDocument',
        Resource: document('Shared-*'),
      }),
    },
    [
      { name: 'grants that user alone', expect: 'Allow', deciding: ['Doc[0]'] },
      { name: 'not another user', principal: BOB, expect: 'ImplicitDeny' },
      { name: 'not another document', resource: document('Private'), expect: 'ImplicitDeny' },
      { name: 'not an anonymous request', principal: undefined, expect: 'ImplicitDeny' },
      {
        name: 'an identity Deny wins',
        policies: { Id: doc({ Effect: 'Deny', Action: 'ssm:GetDocument', Resource: '*' }) },
        expect: 'ExplicitDeny',
        deciding: ['Id[0]'],
      },
    ],
  ),
  ...scenario(
    'resource policy naming the account',
    {
      ...GET_SHARED,
      principal: BOB,
      resourcePolicies: shared({
        Effect: 'Allow',
        Principal: { AWS: ACCOUNT },
        Action: 'ssm:GetDocument',
        Resource: document('Shared-*'),
      }),
    },
    [
      { name: 'delegates: alone it grants nothing', expect: 'ImplicitDeny' },
      {
        name: 'with an identity Allow',
        policies: { Id: doc({ Effect: 'Allow', Action: 'ssm:GetDocument', Resource: '*' }) },
        expect: 'Allow',
        deciding: ['Id[0]', 'Doc[0]'],
      },
    ],
  ),
  ...scenario(
    'NotPrincipal with Deny',
    {
      ...GET_SHARED,
      resourcePolicies: shared(
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'ssm:GetDocument',
          Resource: document('Shared-*'),
        },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: [USER_ALICE, ROOT] },
          Action: 'ssm:GetDocument',
          Resource: '*',
        },
      ),
    },
    [
      { name: 'the listed user is exempt', expect: 'Allow', deciding: ['Doc[0]'] },
      {
        name: 'everyone else is denied',
        principal: BOB,
        expect: 'ExplicitDeny',
        deciding: ['Doc[1]'],
      },
      {
        name: 'a service is denied',
        principal: { type: 'Service', id: 'ssm.amazonaws.com' },
        expect: 'ExplicitDeny',
        deciding: ['Doc[1]'],
      },
      {
        name: 'an anonymous request is denied',
        principal: undefined,
        expect: 'ExplicitDeny',
        deciding: ['Doc[1]'],
      },
    ],
  ),
  ...scenario(
    'NotPrincipal naming a user without the account',
    {
      ...GET_SHARED,
      resourcePolicies: shared(
        { Effect: 'Allow', Principal: '*', Action: 'ssm:GetDocument', Resource: '*' },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: USER_ALICE },
          Action: 'ssm:GetDocument',
          Resource: '*',
        },
      ),
    },
    [
      {
        name: 'exempts no one (AWS checks the account first)',
        expect: 'ExplicitDeny',
        deciding: ['Doc[1]'],
      },
    ],
  ),
  ...scenario(
    'NotPrincipal naming a role and its account',
    {
      ...GET_SHARED,
      principal: sessionOf('Ops', 'alice'),
      resourcePolicies: shared(
        { Effect: 'Allow', Principal: '*', Action: 'ssm:GetDocument', Resource: '*' },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: [ROLE_OPS, ROOT] },
          Action: 'ssm:GetDocument',
          Resource: '*',
        },
      ),
    },
    [
      { name: "exempts the role's sessions", expect: 'Allow', deciding: ['Doc[0]'] },
      {
        name: 'not sessions of another role',
        principal: sessionOf('Dev', 'alice'),
        expect: 'ExplicitDeny',
        deciding: ['Doc[1]'],
      },
    ],
  ),
];

// ---------------------------------------------------------------------------------------------
// `…IfExists` on every operator: an absent key passes; a present key is still checked.
// [operator, key, policy value, a request value the operator rejects]

const IF_EXISTS: readonly (readonly [string, string, string, string])[] = [
  ['StringEquals', 'ssm:resourceTag/Env', 'dev', 'prod'],
  ['StringNotEquals', 'ssm:resourceTag/Env', 'prod', 'prod'],
  ['StringEqualsIgnoreCase', 'ssm:resourceTag/Env', 'dev', 'prod'],
  ['StringNotEqualsIgnoreCase', 'ssm:resourceTag/Env', 'prod', 'PROD'],
  ['StringLike', 'ssm:resourceTag/Env', 'dev*', 'prod'],
  ['StringNotLike', 'ssm:resourceTag/Env', 'prod*', 'prod-eu'],
  ['NumericEquals', AGE, '10', '11'],
  ['NumericNotEquals', AGE, '10', '10'],
  ['NumericLessThan', AGE, '10', '10'],
  ['NumericLessThanEquals', AGE, '10', '11'],
  ['NumericGreaterThan', AGE, '10', '10'],
  ['NumericGreaterThanEquals', AGE, '10', '9'],
  ['DateEquals', TIME, NOW, '2026-11-26T19:10:01Z'],
  ['DateNotEquals', TIME, NOW, NOW],
  ['DateLessThan', TIME, NOW, NOW],
  ['DateLessThanEquals', TIME, NOW, '2026-11-26T19:10:01Z'],
  ['DateGreaterThan', TIME, NOW, NOW],
  ['DateGreaterThanEquals', TIME, NOW, '2026-11-26T19:09:59Z'],
  ['Bool', 'aws:SecureTransport', 'true', 'false'],
  ['BinaryEquals', 'ssm:SampleBinary', 'QUJD', 'REVG'],
  ['IpAddress', IP, '10.0.0.0/8', '192.0.2.1'],
  ['NotIpAddress', IP, '10.0.0.0/8', '10.0.0.1'],
  ['ArnEquals', PRINCIPAL_ARN, USER_ALICE, USER_BOB],
  ['ArnNotEquals', PRINCIPAL_ARN, USER_ALICE, USER_ALICE],
  ['ArnLike', PRINCIPAL_ARN, 'arn:openssm:iam::*:user/a*', USER_BOB],
  ['ArnNotLike', PRINCIPAL_ARN, 'arn:openssm:iam::*:user/a*', USER_ALICE],
];

const ifExists = IF_EXISTS.flatMap(([operator, key, value, rejected]) =>
  scenario(
    `${operator}IfExists (each operator)`,
    { policies: allowIf({ [`${operator}IfExists`]: { [key]: value } }), ...START },
    [
      { name: 'absent key passes', expect: 'Allow', deciding: ['C[0]'] },
      {
        name: `${rejected} is still checked`,
        context: { [key]: rejected },
        expect: 'ImplicitDeny',
      },
    ],
  ),
);

export const POLICY_VECTORS: readonly PolicyVector[] = [
  ...basics,
  ...actions,
  ...resources,
  ...strings,
  ...numbers,
  ...dates,
  ...booleans,
  ...addresses,
  ...arns,
  ...nulls,
  ...sets,
  ...variables,
  ...sessionManager,
  ...builtins,
  ...principals,
  ...resourcePolicies,
  ...ifExists,
];
