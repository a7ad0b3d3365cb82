// What a decision explains beyond its verdict: every statement's outcome and the first failed
// condition, the context keys the request lacked, account delegation, and the programmer
// mistakes evaluatePolicies refuses.

import { describe, expect, it } from 'vitest';
import {
  builtinPolicy,
  createRequestContext,
  evaluatePolicies,
  parsePolicyDocument,
  type NamedPolicy,
  type PolicyKind,
} from '../../src/policy/engine/index.js';

const NODE = 'arn:openssm:ssm:us-east-1:000000000000:managed-instance/mi-0123456789abcdef0';
const ALICE = 'arn:openssm:iam::000000000000:user/alice';

function named(name: string, statements: object[], kind: PolicyKind = 'identity'): NamedPolicy {
  const json = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  return { name, document: parsePolicyDocument(json, kind) };
}

const SESSIONS = named('Sessions', [
  { Sid: 'Describe', Effect: 'Allow', Action: 'ssm:Describe*', Resource: '*' },
  {
    Sid: 'OwnSessions',
    Effect: 'Allow',
    Action: 'ssm:TerminateSession',
    Resource: 'arn:aws:ssm:*:*:session/${aws:username}-*',
  },
  {
    Sid: 'TaggedNodes',
    Effect: 'Allow',
    Action: 'ssm:StartSession',
    Resource: 'arn:aws:ssm:*:*:managed-instance/*',
    Condition: {
      StringEquals: { 'ssm:resourceTag/Env': 'dev' },
      Bool: { 'aws:SecureTransport': 'true' },
    },
  },
  { Sid: 'NoCommands', Effect: 'Deny', Action: 'ssm:SendCommand', Resource: '*' },
]);

describe('a decision explains itself', () => {
  it('with every statement, in order, and how it fared', () => {
    const decision = evaluatePolicies({
      action: 'ssm:StartSession',
      resource: NODE,
      context: createRequestContext({ 'ssm:resourceTag/Env': 'prod', 'aws:SecureTransport': true }),
      policies: [SESSIONS],
    });
    expect(decision.decision).toBe('ImplicitDeny');
    expect(decision.deciding).toEqual([]);
    expect(
      decision.statements.map(({ sid, outcome, failedCondition }) => ({
        sid,
        outcome,
        failedCondition,
      })),
    ).toEqual([
      { sid: 'Describe', outcome: 'ActionNotMatched', failedCondition: undefined },
      { sid: 'OwnSessions', outcome: 'ActionNotMatched', failedCondition: undefined },
      {
        sid: 'TaggedNodes',
        outcome: 'ConditionNotMet',
        failedCondition: { operator: 'StringEquals', key: 'ssm:resourceTag/Env' },
      },
      { sid: 'NoCommands', outcome: 'ActionNotMatched', failedCondition: undefined },
    ]);
    expect(decision.missingContextKeys).toEqual([]);
  });

  it('with the deciding statement by policy, source, index and Sid', () => {
    const decision = evaluatePolicies({
      action: 'ssm:SendCommand',
      resource: NODE,
      context: createRequestContext({}),
      policies: [builtinPolicy('AdministratorAccess'), SESSIONS],
    });
    expect(decision.decision).toBe('ExplicitDeny');
    expect(decision.deciding).toEqual([
      {
        policyName: 'Sessions',
        source: 'identity',
        statementIndex: 3,
        sid: 'NoCommands',
        effect: 'Deny',
      },
    ]);
    expect(decision.statements[0]).toMatchObject({
      policyName: 'AdministratorAccess',
      outcome: 'Matched',
      effect: 'Allow',
    });
  });

  it('naming a resource that did not match', () => {
    const decision = evaluatePolicies({
      action: 'ssm:TerminateSession',
      resource: 'arn:openssm:ssm:us-east-1:000000000000:session/bob-1',
      context: createRequestContext({ 'aws:username': 'alice' }),
      policies: [SESSIONS],
    });
    expect(decision.statements[1]).toMatchObject({
      sid: 'OwnSessions',
      outcome: 'ResourceNotMatched',
    });
  });

  it('with the context keys the request lacked: condition keys and variables, once each', () => {
    const decision = evaluatePolicies({
      action: 'ssm:StartSession',
      resource: NODE,
      context: createRequestContext({}),
      policies: [
        SESSIONS,
        named('More', [
          {
            Effect: 'Allow',
            Action: 'ssm:StartSession',
            Resource: '*',
            Condition: {
              StringEqualsIfExists: { 'SSM:ResourceTag/Env': 'dev' },
              StringEquals: { 'ssm:resourceTag/Owner': '${aws:username}' },
            },
          },
        ]),
      ],
    });
    expect(decision.decision).toBe('ImplicitDeny');
    expect(decision.missingContextKeys).toEqual([
      'ssm:resourceTag/Env',
      'aws:SecureTransport',
      'ssm:resourceTag/Owner',
    ]);
  });

  it('with variables that did not resolve', () => {
    const decision = evaluatePolicies({
      action: 'ssm:TerminateSession',
      resource: 'arn:openssm:ssm:us-east-1:000000000000:session/alice-1',
      context: createRequestContext({ 'aws:userid': 'AROAEXAMPLE:alice' }),
      policies: [SESSIONS],
    });
    expect(decision.decision).toBe('ImplicitDeny');
    expect(decision.missingContextKeys).toEqual(['aws:username']);
  });

  it('with a principal that did not match, and account delegation', () => {
    const shared = named(
      'Shared',
      [
        {
          Effect: 'Allow',
          Principal: { AWS: '000000000000' },
          Action: 'ssm:GetDocument',
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:openssm:iam::000000000000:user/bob' },
          Action: 'ssm:GetDocument',
          Resource: '*',
        },
      ],
      'resource',
    );
    const decision = evaluatePolicies({
      action: 'ssm:GetDocument',
      resource: 'arn:openssm:ssm:us-east-1:000000000000:document/Runbook',
      principal: { type: 'AWS', id: ALICE },
      context: createRequestContext({}),
      policies: [],
      resourcePolicies: [shared],
    });
    expect(decision.decision).toBe('ImplicitDeny');
    expect(
      decision.statements.map(({ source, outcome, delegatedToAccount }) => ({
        source,
        outcome,
        delegatedToAccount,
      })),
    ).toEqual([
      { source: 'resource', outcome: 'Matched', delegatedToAccount: true },
      { source: 'resource', outcome: 'PrincipalNotMatched', delegatedToAccount: false },
    ]);
  });

  it('the same way every time (no clock, no hidden state)', () => {
    const request = {
      action: 'ssm:StartSession',
      resource: NODE,
      context: createRequestContext({ 'ssm:resourceTag/Env': 'dev', 'aws:SecureTransport': true }),
      policies: [SESSIONS],
    };
    const first = evaluatePolicies(request);
    expect(first.decision).toBe('Allow');
    expect(evaluatePolicies(request)).toEqual(first);
  });
});

describe('evaluatePolicies refuses programmer mistakes', () => {
  const trust = named(
    'Trust',
    [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }],
    'trust',
  );

  it('a trust policy among identity policies', () => {
    expect(() =>
      evaluatePolicies({
        action: 'sts:AssumeRole',
        resource: '*',
        context: createRequestContext({}),
        policies: [trust],
      }),
    ).toThrow('Policy Trust is trust; expected identity');
  });

  it('an identity policy among resource policies', () => {
    expect(() =>
      evaluatePolicies({
        action: 'ssm:StartSession',
        resource: NODE,
        context: createRequestContext({}),
        policies: [],
        resourcePolicies: [SESSIONS],
      }),
    ).toThrow('Policy Sessions is identity; expected trust or resource');
  });
});
