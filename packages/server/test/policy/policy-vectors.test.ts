// Runs the policy vectors (policy-vectors.ts) through the engine: each must give the expected
// decision and name exactly the expected deciding statements.

import { describe, expect, it } from 'vitest';
import {
  createRequestContext,
  evaluateAssumeRole,
  evaluatePolicies,
  parsePolicyDocument,
  type Decision,
  type NamedPolicy,
  type PolicyKind,
} from '../../src/policy/engine/index.js';
import { POLICY_VECTORS, type PolicyVector } from './policy-vectors.js';

function named(name: string, json: object | string, kind: PolicyKind): NamedPolicy {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  return { name, document: parsePolicyDocument(text, kind) };
}

function run(vector: PolicyVector): Decision {
  const policies = Object.entries(vector.policies).map(([name, json]) =>
    named(name, json, 'identity'),
  );
  const resourcePolicies = Object.entries(vector.resourcePolicies ?? {}).map(
    ([name, { kind, document }]) => named(name, document, kind),
  );
  const context = createRequestContext(vector.context);
  if (vector.assumeRole === true) {
    const [trustPolicy] = resourcePolicies;
    if (trustPolicy === undefined || vector.principal === undefined) {
      throw new Error(`${vector.name}: an AssumeRole vector needs a trust policy and a principal`);
    }
    return evaluateAssumeRole({
      action: vector.action,
      roleArn: vector.resource,
      principal: vector.principal,
      context,
      policies,
      trustPolicy,
    });
  }
  return evaluatePolicies({
    action: vector.action,
    resource: vector.resource,
    principal: vector.principal,
    context,
    policies,
    resourcePolicies,
  });
}

describe('policy vectors', () => {
  it('are at least 150, with distinct names', () => {
    expect(POLICY_VECTORS.length).toBeGreaterThanOrEqual(150);
    const names = POLICY_VECTORS.map((vector) => vector.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it.each(POLICY_VECTORS.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const decision = run(vector);
    expect({
      decision: decision.decision,
      deciding: decision.deciding.map((ref) => `${ref.policyName}[${ref.statementIndex}]`),
    }).toEqual({ decision: vector.expect, deciding: vector.deciding });
  });
});
