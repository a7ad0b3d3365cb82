// The built-in managed policies are well-formed identity policies under their own names; what
// each allows is checked by the vectors (policy-vectors.ts, "AdministratorAccess" and after).

import { describe, expect, it } from 'vitest';
import {
  BUILTIN_POLICIES,
  builtinPolicy,
  builtinPolicyArn,
  isBuiltinPolicyName,
  POLICY_SIZE_LIMITS,
  type BuiltinPolicyName,
} from '../../src/policy/engine/index.js';

const NAMES = Object.keys(BUILTIN_POLICIES) as BuiltinPolicyName[];

describe('built-in policies', () => {
  it('are the four OpenSSM ships', () => {
    expect(NAMES).toEqual([
      'AdministratorAccess',
      'AmazonSSMFullAccess',
      'AmazonSSMReadOnlyAccess',
      'AmazonSSMManagedInstanceCore',
    ]);
  });

  it.each(NAMES)('%s parses as an identity policy under its own name', (name) => {
    const spec = BUILTIN_POLICIES[name];
    expect(spec.name).toBe(name);
    expect(spec.description).toMatch(/^[A-Z].*\.$/);
    expect(JSON.parse(spec.document)).toMatchObject({ Version: '2012-10-17' });
    const policy = builtinPolicy(name);
    expect(policy.name).toBe(name);
    expect(policy.document.kind).toBe('identity');
    expect(spec.document.replace(/\s/g, '').length).toBeLessThanOrEqual(POLICY_SIZE_LIMITS.managed);
  });

  it('have AWS-style ARNs in the given partition', () => {
    expect(builtinPolicyArn('openssm', 'AmazonSSMReadOnlyAccess')).toBe(
      'arn:openssm:iam::aws:policy/AmazonSSMReadOnlyAccess',
    );
    expect(builtinPolicyArn('aws', 'AdministratorAccess')).toBe(
      'arn:aws:iam::aws:policy/AdministratorAccess',
    );
  });

  it('are recognised by name, and nothing else is', () => {
    expect(NAMES.every(isBuiltinPolicyName)).toBe(true);
    for (const name of ['toString', 'constructor', '__proto__', 'AmazonSSMFullaccess', '']) {
      expect(isBuiltinPolicyName(name)).toBe(false);
    }
  });
});
